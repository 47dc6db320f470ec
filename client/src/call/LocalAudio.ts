/**
 * Our microphone in the call: the track every link sends, muting, switching the input
 * (a new capture, then replaceTrack on every link: no renegotiation, the others keep hearing
 * us), voice processing on the live track (applyConstraints), and a microphone that goes away
 * (a `devicechange` that removes it, or its track ending) replaced by the default one. A
 * listen-only person becomes a talking one the same way: every link has its audio sender from
 * the start (PeerLink), only without a track, so adding one is a replaceTrack too.
 *
 * Muting keeps the track enabled and stops the senders instead (mesh.setAudioSending): no RTP
 * leaves while muted, and the browser still measures the microphone's level for the sender's
 * media-source stats, which is how "You are muted" hears a muted person talk without a Web Audio
 * context (a real-time audio thread per page, the cost that broke a 10-person join here).
 */
import type { Mesh } from '../mesh/Mesh';
import { devicesOf, fallbackMicrophone, type DeviceChoice } from '../media/devices';
import { openMicrophone } from '../media/microphone';
import { loadProcessing, PROCESSING_KEYS, saveProcessing, type Processing } from '../media/processing';

/** The browser's media devices; none in Node (headless participants, unit tests). */
const devices = (): MediaDevices | undefined => (typeof navigator === 'undefined' ? undefined : navigator.mediaDevices);

export type AudioNotice = { kind: 'mic_fallback'; label: string } | { kind: 'mic_gone' } | { kind: 'mic_failed' };

export interface LocalAudioDeps {
  mesh: Mesh;
  /** Devices, tracks or the mute changed: the call publishes a new snapshot. */
  onChange: () => void;
  onNotice: (notice: AudioNotice) => void;
}

export class LocalAudio {
  readonly #deps: LocalAudioDeps;
  #stream: MediaStream | null = null;
  #muted = false;
  #processing: Processing = loadProcessing();
  #microphones: DeviceChoice[] = [];
  #speakers: DeviceChoice[] = [];
  #watching = false;
  /** Switches one at a time: a devicechange during a switch waits for it. */
  #chain: Promise<unknown> = Promise.resolve();

  constructor(deps: LocalAudioDeps) {
    this.#deps = deps;
  }

  get track(): MediaStreamTrack | null {
    return this.#stream?.getAudioTracks()[0] ?? null;
  }

  get muted(): boolean {
    return this.#muted;
  }

  /** The input in use, as the browser names it ("default" for the system's). */
  get deviceId(): string | null {
    return this.track?.getSettings().deviceId ?? null;
  }

  get microphones(): DeviceChoice[] {
    return this.#microphones;
  }

  get speakers(): DeviceChoice[] {
    return this.#speakers;
  }

  get processing(): Processing {
    return this.#processing;
  }

  /** The stream the lobby opened (null: listen only); links made from now on send it. */
  async start(stream: MediaStream | null, muted: boolean): Promise<void> {
    this.#stream = stream;
    this.#muted = muted;
    this.#watchTrack();
    await this.#deps.mesh.setAudioSending(!muted);
    await this.#deps.mesh.setAudioTrack(this.track);
    this.#watchDevices();
  }

  async setMuted(muted: boolean): Promise<void> {
    this.#muted = muted;
    await this.#deps.mesh.setAudioSending(!muted);
  }

  /** Switches to `deviceId` (null: the default) on every link; false (and a notice) when it could not be opened. */
  useMicrophone(deviceId: string | null, notify = true): Promise<boolean> {
    return this.#queue(() => this.#switch(deviceId, notify, false));
  }

  #queue(job: () => Promise<boolean>): Promise<boolean> {
    const run = this.#chain.then(job);
    this.#chain = run.catch(() => undefined);
    return run;
  }

  /**
   * Applies voice processing to the live track, remembered for the next capture too. Where the
   * browser accepts applyConstraints but leaves the processing as it was (Chromium does, for
   * these three), the same input is captured again with the new settings and swapped in on
   * every link like a microphone switch: still no renegotiation and no rejoin. The old capture
   * stops first (a moment of silence): while it lives, Chromium hands a new capture of the same
   * input the old one's processing.
   */
  async setProcessing(next: Processing): Promise<void> {
    this.#processing = { ...next };
    saveProcessing(this.#processing);
    const track = this.track;
    if (track) {
      await track.applyConstraints({ ...this.#processing }).catch((err: unknown) => console.warn('meshtalk: applyConstraints failed', err));
      const now = track.getSettings() as Partial<Processing>;
      const stale = PROCESSING_KEYS.some((k) => now[k] !== undefined && now[k] !== this.#processing[k]);
      if (stale && this.track === track) await this.#queue(() => this.#switch(this.deviceId, true, true));
    }
    this.#deps.onChange();
  }

  stop(): void {
    this.#stream?.getTracks().forEach((t) => t.stop());
    this.#stream = null;
    if (this.#watching) devices()?.removeEventListener?.('devicechange', this.#onDeviceChange);
    this.#watching = false;
  }

  async #switch(deviceId: string | null, notify: boolean, stopFirst: boolean): Promise<boolean> {
    const old = this.#stream;
    if (stopFirst) old?.getTracks().forEach((t) => t.stop());
    const opened = await openMicrophone(deviceId, { exact: true, processing: this.#processing });
    if (!opened.ok) {
      if (notify) this.#deps.onNotice({ kind: 'mic_failed' });
      // Nothing to go back to: the fallback rule picks a microphone, or listen-only.
      if (stopFirst) void this.#recheck(true);
      return false;
    }
    this.#stream = opened.stream;
    this.#watchTrack();
    await this.#deps.mesh.setAudioTrack(this.track);
    old?.getTracks().forEach((t) => t.stop());
    await this.#refreshDevices();
    this.#deps.onChange();
    return true;
  }

  #watchTrack(): void {
    const track = this.track;
    // An unplugged microphone ends its track (some browsers fire no devicechange first).
    track?.addEventListener('ended', () => {
      if (this.track === track) void this.#recheck(true);
    });
  }

  #watchDevices(): void {
    const media = devices();
    if (this.#watching || !media?.addEventListener) return;
    this.#watching = true;
    media.addEventListener('devicechange', this.#onDeviceChange);
    void this.#refreshDevices().then(() => this.#deps.onChange());
  }

  readonly #onDeviceChange = (): void => void this.#recheck(false);

  async #refreshDevices(): Promise<void> {
    const media = devices();
    const all = media?.enumerateDevices ? await media.enumerateDevices().catch(() => []) : [];
    this.#microphones = devicesOf(all, 'audioinput');
    this.#speakers = devicesOf(all, 'audiooutput');
  }

  /** New devices are offered; a microphone in use that is gone falls back to the default. */
  async #recheck(trackEnded: boolean): Promise<void> {
    await this.#refreshDevices();
    const inUse = this.track ? this.deviceId : null;
    const choice = fallbackMicrophone(inUse, this.#microphones, trackEnded || this.track?.readyState === 'ended');
    if (choice.fellBack) {
      if (choice.deviceId && (await this.useMicrophone(choice.deviceId, false))) {
        const label = this.#microphones.find((d) => d.deviceId === choice.deviceId)?.label ?? choice.deviceId;
        this.#deps.onNotice({ kind: 'mic_fallback', label });
      } else {
        this.#stream?.getTracks().forEach((t) => t.stop());
        this.#stream = null;
        await this.#deps.mesh.setAudioTrack(null);
        this.#deps.onNotice({ kind: 'mic_gone' });
      }
    }
    this.#deps.onChange();
  }
}
