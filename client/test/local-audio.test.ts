/**
 * LocalAudio when the devices change under a call (issue 13): the microphone in use unplugged
 * (a `devicechange` that no longer lists it) falls back to the default, sends the new track on
 * every link and says so; a microphone plugged in is offered. Fake mediaDevices and a fake mesh.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LocalAudio, type AudioNotice } from '../src/call/LocalAudio';
import type { Mesh } from '../src/mesh/Mesh';
import { MemoryStorage } from './fake-signaling';

type Input = { deviceId: string; label: string };

/** A captured microphone track: its device, whether it was stopped, and its `ended` event. */
class FakeTrack extends EventTarget {
  readonly kind = 'audio';
  readyState: 'live' | 'ended' = 'live';
  constructor(readonly deviceId: string) {
    super();
  }
  getSettings(): MediaTrackSettings {
    return { deviceId: this.deviceId };
  }
  stop(): void {
    this.readyState = 'ended';
  }
  async applyConstraints(): Promise<void> {}
}

const streamOf = (track: FakeTrack) => ({ getAudioTracks: () => [track], getTracks: () => [track] }) as unknown as MediaStream;

/** navigator.mediaDevices: a device list the test rewrites, and captures of the listed inputs. */
class FakeMediaDevices extends EventTarget {
  inputs: Input[] = [];
  readonly opened: (string | null)[] = [];
  async enumerateDevices(): Promise<MediaDeviceInfo[]> {
    return this.inputs.map((d) => ({ ...d, kind: 'audioinput', groupId: '' }) as unknown as MediaDeviceInfo);
  }
  async getUserMedia(c: MediaStreamConstraints): Promise<MediaStream> {
    const wanted = ((c.audio as MediaTrackConstraints).deviceId as { exact?: string } | undefined)?.exact ?? null;
    this.opened.push(wanted);
    const device = wanted === null ? this.inputs[0] : this.inputs.find((d) => d.deviceId === wanted);
    if (!device) throw new DOMException('Requested device not found', 'NotFoundError');
    return streamOf(new FakeTrack(device.deviceId));
  }
  /** The system's device list changed. */
  plug(inputs: Input[]): void {
    this.inputs = inputs;
    this.dispatchEvent(new Event('devicechange'));
  }
}

const DEFAULT: Input = { deviceId: 'default', label: 'Default - Built-in Microphone' };
const HEADSET: Input = { deviceId: 'headset', label: 'USB Headset' };
const WEBCAM: Input = { deviceId: 'webcam', label: 'Webcam Microphone' };

let media: FakeMediaDevices;
beforeEach(() => {
  media = new FakeMediaDevices();
  vi.stubGlobal('navigator', { mediaDevices: media });
  vi.stubGlobal('localStorage', new MemoryStorage());
});
afterEach(() => vi.unstubAllGlobals());

/** A call's microphone, started on `track`, with what it sent to the mesh and said. */
async function startOn(track: FakeTrack) {
  const sent: (MediaStreamTrack | null)[] = [];
  const notices: AudioNotice[] = [];
  const changes = { count: 0 };
  const mesh = {
    setAudioSending: async () => {},
    setAudioTrack: async (t: MediaStreamTrack | null) => void sent.push(t),
  } as unknown as Mesh;
  const audio = new LocalAudio({ mesh, onChange: () => changes.count++, onNotice: (n) => notices.push(n) });
  await audio.start(streamOf(track), false);
  // The first device listing (start() asks for it without waiting).
  await vi.waitFor(() => expect(audio.microphones).toEqual(media.inputs));
  return { audio, sent, notices, changes };
}

describe('the microphone in use goes away mid-call', () => {
  it('falls back to the default, sends its track on every link and says which microphone is used now', async () => {
    media.inputs = [DEFAULT, HEADSET];
    const headset = new FakeTrack('headset');
    const { audio, sent, notices } = await startOn(headset);
    expect(sent).toEqual([headset]);

    media.plug([DEFAULT]);
    await vi.waitFor(() => expect(notices).toEqual([{ kind: 'mic_fallback', label: DEFAULT.label }]));
    expect(media.opened).toEqual(['default']);
    const now = sent.at(-1) as unknown as FakeTrack;
    expect(now).not.toBe(headset);
    expect(now.deviceId).toBe('default');
    expect(audio.track).toBe(now);
    expect(audio.deviceId).toBe('default');
    expect(headset.readyState).toBe('ended');
    expect(audio.microphones).toEqual([DEFAULT]);
  });

  it('with no microphone left, sends none and says the person is listening only', async () => {
    media.inputs = [HEADSET];
    const { audio, sent, notices } = await startOn(new FakeTrack('headset'));
    media.plug([]);
    await vi.waitFor(() => expect(notices).toEqual([{ kind: 'mic_gone' }]));
    expect(sent.at(-1)).toBeNull();
    expect(audio.track).toBeNull();
  });

  it('a change that keeps the microphone in use switches nothing', async () => {
    media.inputs = [DEFAULT, HEADSET];
    const headset = new FakeTrack('headset');
    const { audio, sent, notices, changes } = await startOn(headset);
    const before = changes.count;
    media.plug([DEFAULT, HEADSET, WEBCAM]);
    await vi.waitFor(() => expect(changes.count).toBeGreaterThan(before));
    expect(audio.track).toBe(headset);
    expect(sent).toEqual([headset]);
    expect(notices).toEqual([]);
    expect(media.opened).toEqual([]);
  });
});

describe('a microphone plugged in mid-call', () => {
  it('is offered in the microphones list at once, without switching to it', async () => {
    media.inputs = [DEFAULT];
    const mic = new FakeTrack('default');
    const { audio, changes } = await startOn(mic);
    const before = changes.count;
    media.plug([DEFAULT, HEADSET]);
    await vi.waitFor(() => expect(audio.microphones).toEqual([DEFAULT, HEADSET]));
    // The call was told, so Settings shows the new one.
    await vi.waitFor(() => expect(changes.count).toBeGreaterThan(before));
    expect(audio.track).toBe(mic);
    expect(media.opened).toEqual([]);
  });
});
