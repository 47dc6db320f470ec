/**
 * Who is speaking, from the audio levels the browser already computes for RTP (no Web Audio:
 * an AudioContext per page costs a real-time audio thread, and on a busy machine that cost is
 * what kept a 10-person join from settling; see bench/RESULTS.md). Remote levels come from each
 * receiver's synchronization sources; our own from the audio sender's media-source stats on one
 * connected link. Muted people never count as speaking; our own level while muted still goes
 * to `onSelfLevel` ("You are muted").
 */
import type { Mesh } from '../mesh/Mesh';

/** Remote levels come from RTP (0–1, logarithmic-ish): a quiet room reads below this. */
export const REMOTE_SPEAKING_LEVEL = 0.05;
/** Our own level from the sender's media source, same scale. */
export const SELF_SPEAKING_LEVEL = 0.05;

/** The longest sampling waits for links still connecting. */
const MAX_SKIP_MS = 10_000;

export interface SpeakingDeps {
  mesh: Mesh;
  isMuted: (peerId: string) => boolean;
  selfMuted: () => boolean;
  /** Someone started or stopped speaking. */
  onChange: () => void;
  /** Our own level at every sample, muted or not (null: none to be had), for "You are muted". */
  onSelfLevel?: (level: number | null, muted: boolean) => void;
  everyMs?: number;
}

export class SpeakingDetector {
  readonly #deps: SpeakingDeps;
  #speaking = new Set<string>();
  #self = false;
  #timer: ReturnType<typeof setInterval> | null = null;
  #busy = false;
  #lastSample = 0;

  constructor(deps: SpeakingDeps) {
    this.#deps = deps;
  }

  get self(): boolean {
    return this.#self;
  }

  isSpeaking(peerId: string): boolean {
    return this.#speaking.has(peerId);
  }

  start(): void {
    this.#timer ??= setInterval(() => void this.sample(), this.#deps.everyMs ?? 500);
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.#speaking.clear();
    this.#self = false;
  }

  /** One look at every level; calls onChange when anything changed. */
  async sample(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      const { mesh } = this.#deps;
      // While links are still coming up (a join) or recovering, WebRTC's threads are at their
      // busiest and every level read waits for them: look again later.
      const settling = mesh.peerIds.some((id) => {
        const state = mesh.link(id)?.state;
        return state === 'new' || state === 'connecting' || state === 'disconnected';
      });
      if (settling && performance.now() - this.#lastSample < MAX_SKIP_MS) return;
      this.#lastSample = performance.now();
      const next = new Set<string>();
      let selfLevel: number | null = null;
      for (const id of mesh.peerIds) {
        const link = mesh.link(id);
        if (!link || link.state !== 'connected') continue;
        if (link.audioLevel() > REMOTE_SPEAKING_LEVEL && !this.#deps.isMuted(id)) next.add(id);
        // Muted too: the sender keeps the track while muted (LocalAudio), so this costs the same
        // one stats read either way and needs no Web Audio.
        if (selfLevel === null) selfLevel = await link.localAudioLevel().catch(() => null);
      }
      const muted = this.#deps.selfMuted();
      this.#deps.onSelfLevel?.(selfLevel, muted);
      const self = (selfLevel ?? 0) > SELF_SPEAKING_LEVEL && !muted;
      const changed = self !== this.#self || next.size !== this.#speaking.size || [...next].some((id) => !this.#speaking.has(id));
      this.#self = self;
      this.#speaking = next;
      if (changed) this.#deps.onChange();
    } finally {
      this.#busy = false;
    }
  }
}
