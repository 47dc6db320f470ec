/** The local microphone: device list, capture with a remembered choice, and why it failed. */

import { loadProcessing, type Processing } from './processing';

const DEVICE_KEY = 'meshtalk.microphone';

export type MicResult = { ok: true; stream: MediaStream } | { ok: false; reason: 'denied' | 'missing' | 'unsupported' };

export function rememberedMicrophone(): string | null {
  return localStorage.getItem(DEVICE_KEY);
}

export async function listMicrophones(): Promise<MediaDeviceInfo[]> {
  if (!navigator.mediaDevices?.enumerateDevices) return [];
  return (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind === 'audioinput');
}

/**
 * Opens `deviceId` (null: the default) with the remembered voice processing. The lobby asks for
 * its choice as `ideal` (any microphone beats none); a switch in the call asks for it `exact`.
 */
export async function openMicrophone(deviceId: string | null, opts: { exact?: boolean; processing?: Processing } = {}): Promise<MicResult> {
  if (!navigator.mediaDevices?.getUserMedia) return { ok: false, reason: 'unsupported' };
  const audio: MediaTrackConstraints = { ...(opts.processing ?? loadProcessing()) };
  if (deviceId) audio.deviceId = opts.exact ? { exact: deviceId } : { ideal: deviceId };
  try {
    const stream = await navigator.mediaDevices.getUserMedia({ audio });
    const chosen = stream.getAudioTracks()[0]?.getSettings().deviceId;
    if (deviceId && chosen) localStorage.setItem(DEVICE_KEY, chosen);
    return { ok: true, stream };
  } catch (err) {
    const name = (err as DOMException).name;
    return { ok: false, reason: name === 'NotAllowedError' || name === 'SecurityError' ? 'denied' : 'missing' };
  }
}
