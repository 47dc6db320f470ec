/**
 * The audio devices a person can pick in the call, and which microphone to fall back to when
 * the one in use goes away. Pure choices over `enumerateDevices()` results; no capture here.
 */

export interface DeviceChoice {
  deviceId: string;
  label: string;
}

type DeviceLike = Pick<MediaDeviceInfo, 'deviceId' | 'kind' | 'label'>;

/** Inputs or outputs of one kind, as choices (a browser that hides ids yields none). */
export function devicesOf(devices: readonly DeviceLike[], kind: 'audioinput' | 'audiooutput'): DeviceChoice[] {
  return devices.filter((d) => d.kind === kind && d.deviceId !== '').map((d) => ({ deviceId: d.deviceId, label: d.label }));
}

/**
 * After the device list changed (or the track in use ended): the microphone to use now.
 * The one in use (null: none, or not known) stays while it is listed and its track lives;
 * otherwise the system default (Chromium lists it as "default"), else another input, else
 * none. `fellBack` says a change is needed.
 */
export function fallbackMicrophone(inUse: string | null, inputs: readonly DeviceChoice[], trackEnded = false): { deviceId: string | null; fellBack: boolean } {
  if (!trackEnded && (inUse === null || inputs.some((d) => d.deviceId === inUse))) return { deviceId: inUse, fellBack: false };
  // "default" follows the system's choice, so it is worth opening again even if it was in use.
  const fallback = inputs.find((d) => d.deviceId === 'default') ?? inputs.find((d) => d.deviceId !== inUse) ?? null;
  return { deviceId: fallback?.deviceId ?? null, fellBack: true };
}

/** Whether this browser can route playback to a chosen output (HTMLMediaElement.setSinkId). */
export function canChooseSpeaker(): boolean {
  return typeof HTMLMediaElement !== 'undefined' && 'setSinkId' in HTMLMediaElement.prototype;
}
