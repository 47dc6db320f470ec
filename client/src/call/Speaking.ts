/**
 * Who is speaking. Each browser measures only its own microphone, from the level the browser
 * already computes for the audio sender (media-source stats on one connected link: no Web Audio)
 * and tells the room when it starts or stops speaking (`speaking:update`), and again when
 * someone joins while it speaks; everyone else's state arrives as `participant:speaking`
 * (Session). Reading the others' levels from our own links instead (getSynchronizationSources,
 * a synchronous call into WebRTC per link, twice a second) held every page's main thread while
 * the machine was busy, and kept ten people from finishing their mesh (bench/RESULTS.md).
 *
 * Muted people never count as speaking; our own level while muted still goes to `onSelfLevel`
 * ("You are muted").
 */
import { SettlingGate, type Mesh } from '../mesh/Mesh';

/** Our own level from the sender's media source (0–1, logarithmic-ish): a quiet room reads below this. */
export const SELF_SPEAKING_LEVEL = 0.05;
/** Speaking lasts this long after the last loud sample: short pauses are not a stop. */
export const SPEAKING_HOLD_MS = 800;

export interface SpeakingDeps {
  mesh: Mesh;
  selfMuted: () => boolean;
  /** Tells the room whether we speak; resolves false when that did not reach it. */
  announce: (speaking: boolean) => Promise<boolean>;
  /** We started or stopped speaking. */
  onChange: () => void;
  /** Our own level at every sample, muted or not (null: none to be had), for "You are muted". */
  onSelfLevel?: (level: number | null, muted: boolean) => void;
  everyMs?: number;
}

export class SpeakingDetector {
  readonly #deps: SpeakingDeps;
  #self = false;
  /** What the room was last told (null: nothing yet). */
  #announced: boolean | null = false;
  #announcing = false;
  #lastLoud = -Infinity;
  #timer: ReturnType<typeof setInterval> | null = null;
  #busy = false;
  readonly #gate: SettlingGate;

  constructor(deps: SpeakingDeps) {
    this.#deps = deps;
    this.#gate = new SettlingGate(deps.mesh);
  }

  get self(): boolean {
    return this.#self;
  }

  start(): void {
    this.#gate.restart();
    this.#timer ??= setInterval(() => void this.sample(), this.#deps.everyMs ?? 500);
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.#self = false;
    this.#announced = false;
    this.#lastLoud = -Infinity;
  }

  /**
   * Tells the room again at the next sample: after a re-join (the room may have missed a
   * change), or, `ifSpeaking`, when someone joined (they know nothing of a talk in progress).
   */
  forgetAnnounced(ifSpeaking = false): void {
    if (!ifSpeaking || this.#self) this.#announced = null;
  }

  /** One look at our level; tells the room and calls onChange when speaking changed. */
  async sample(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      const { mesh } = this.#deps;
      // Stats wait behind WebRTC's busy threads while links settle: look again later.
      if (!this.#gate.open()) return;
      let level: number | null = null;
      for (const id of mesh.peerIds) {
        const link = mesh.link(id);
        if (link?.state !== 'connected') continue;
        // Muted too: the sender keeps the track while muted (LocalAudio), so this costs the
        // same one stats read either way.
        level = await link.localAudioLevel().catch(() => null);
        break;
      }
      const muted = this.#deps.selfMuted();
      this.#deps.onSelfLevel?.(level, muted);
      if ((level ?? 0) > SELF_SPEAKING_LEVEL && !muted) this.#lastLoud = performance.now();
      const speaking = !muted && performance.now() - this.#lastLoud < SPEAKING_HOLD_MS;
      if (speaking !== this.#self) {
        this.#self = speaking;
        this.#deps.onChange();
      }
      this.#tell();
    } finally {
      this.#busy = false;
    }
  }

  /** One announcement at a time; one that failed (a drop, the rate limit) is tried again at the next sample. */
  #tell(): void {
    const speaking = this.#self;
    if (this.#announcing || this.#announced === speaking) return;
    this.#announcing = true;
    void this.#deps
      .announce(speaking)
      .catch(() => false)
      .then((ok) => {
        this.#announcing = false;
        if (ok) this.#announced = speaking;
      });
  }
}
