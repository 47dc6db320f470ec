/**
 * Remote voices and the autoplay policy (issue 13, "Tap to hear the others"): a play() the
 * browser refuses with NotAllowedError marks playback blocked; a tap plays every voice and
 * clears it. Fake audio elements whose play() obeys a policy the test sets.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MemoryStorage } from './fake-signaling';

/** What the fake browser allows: play() resolves, or rejects with this error's name. */
const policy = { refuse: null as string | null };

class FakeAudio {
  autoplay = false;
  volume = 1;
  srcObject: MediaStream | null = null;
  paused = true;
  play(): Promise<void> {
    if (policy.refuse) return Promise.reject(new DOMException('refused', policy.refuse));
    this.paused = false;
    return Promise.resolve();
  }
  pause(): void {
    this.paused = true;
  }
}

const stream = {} as MediaStream;
type Playback = typeof import('../src/ui/playback');
let playback: Playback;

beforeEach(async () => {
  vi.stubGlobal('Audio', FakeAudio);
  vi.stubGlobal('localStorage', new MemoryStorage());
  // The module keeps its players and the blocked flag: a fresh one per test.
  vi.resetModules();
  playback = await import('../src/ui/playback');
});
afterEach(() => {
  policy.refuse = null;
  vi.unstubAllGlobals();
});

const settle = () => new Promise((r) => setTimeout(r, 0));
const paused = () => playback.debugPlayers().map((p) => p.paused);

describe('"Tap to hear the others": playback the autoplay policy held back', () => {
  it('plays at once where the browser allows it, and asks for no tap', async () => {
    playback.play('ann', stream, 100);
    await settle();
    expect(paused()).toEqual([false]);
    expect(playback.autoplayBlocked()).toBe(false);
  });

  it('a refused play() (NotAllowedError) marks playback blocked and tells the page; a tap plays every voice and clears it', async () => {
    policy.refuse = 'NotAllowedError';
    const told = vi.fn();
    playback.onAutoplayBlocked(told);
    playback.play('ann', stream, 100);
    playback.play('bob', stream, 40);
    await settle();
    expect(playback.autoplayBlocked()).toBe(true);
    expect(told).toHaveBeenCalledTimes(1);
    expect(paused()).toEqual([true, true]);

    policy.refuse = null; // the tap is a user gesture: the browser now allows playback
    await playback.resumePlayback();
    expect(paused()).toEqual([false, false]);
    expect(playback.autoplayBlocked()).toBe(false);
    expect(told).toHaveBeenCalledTimes(2);
  });

  it('stays blocked while the browser still refuses, so the button stays', async () => {
    policy.refuse = 'NotAllowedError';
    playback.play('ann', stream, 100);
    await settle();
    await playback.resumePlayback();
    expect(playback.autoplayBlocked()).toBe(true);
    expect(paused()).toEqual([true]);
  });

  it('another failure (a play() cut short by a new source) is not the autoplay policy: no button', async () => {
    policy.refuse = 'AbortError';
    playback.play('ann', stream, 100);
    await settle();
    expect(playback.autoplayBlocked()).toBe(false);
  });
});
