/**
 * A headless participant's media, on libwebrtc's non-standard sources and sinks: what it says
 * (a tone, or a WAV file, fed as 10 ms PCM frames to an Opus-encoding track), what it shows with
 * --share (synthetic frames, VP8-encoded by the same engine), and what it checks it receives
 * (decoded audio that is not silence; decoded video frames, counted).
 */
import wrtc from '@roamhq/wrtc';
import { HEARD_FRAMES } from './pairs';
import type { Pcm } from './wav';

const { RTCAudioSource, RTCAudioSink, RTCVideoSource, RTCVideoSink } = wrtc.nonstandard;

/** Decoded audio whose 10 ms RMS stays below this (of 32 768) is silence: about −50 dBFS. */
export const SILENCE_RMS = 100;

/** One second of a sine at `hz` (a whole number, so the second loops without a click), −12 dBFS. */
export function tone(hz: number, sampleRate = 48_000): Pcm {
  const samples = new Int16Array(sampleRate);
  for (let i = 0; i < samples.length; i++) samples[i] = Math.round(8_192 * Math.sin((2 * Math.PI * hz * i) / sampleRate));
  return { sampleRate, samples };
}

/** A participant's voice: loops `pcm` into a track, one 10 ms frame per `push`. */
export class Voice {
  readonly track: MediaStreamTrack;
  readonly #source = new RTCAudioSource();
  readonly #pcm: Pcm;
  readonly #frame: Int16Array;
  #at = 0;

  constructor(pcm: Pcm) {
    this.#pcm = pcm;
    this.#frame = new Int16Array(pcm.sampleRate / 100);
    this.track = this.#source.createTrack() as unknown as MediaStreamTrack;
  }

  push(): void {
    const { samples, sampleRate } = this.#pcm;
    for (let i = 0; i < this.#frame.length; i++) {
      this.#frame[i] = samples[this.#at]!;
      this.#at = (this.#at + 1) % samples.length;
    }
    this.#source.onData({ samples: this.#frame, sampleRate, bitsPerSample: 16, channelCount: 1, numberOfFrames: this.#frame.length });
  }
}

export const SCREEN_WIDTH = 640;
export const SCREEN_HEIGHT = 360;
export const SCREEN_FPS = 10;

/** A synthetic screen: a band sweeping over a gradient, so every frame differs a little. */
export class Screen {
  readonly track: MediaStreamTrack;
  readonly #source = new RTCVideoSource({ isScreencast: true });
  readonly #data = new Uint8Array(SCREEN_WIDTH * SCREEN_HEIGHT * 1.5);
  #n = 0;

  constructor() {
    this.track = this.#source.createTrack() as unknown as MediaStreamTrack;
    const luma = SCREEN_WIDTH * SCREEN_HEIGHT;
    for (let i = 0; i < luma; i++) this.#data[i] = 16 + ((i % SCREEN_WIDTH) >> 2);
    this.#data.fill(128, luma);
  }

  push(): void {
    const w = SCREEN_WIDTH;
    const band = (this.#n++ * 8) % SCREEN_HEIGHT;
    const previous = (band + SCREEN_HEIGHT - 8) % SCREEN_HEIGHT;
    for (let y = previous; y < previous + 8; y++) for (let x = 0; x < w; x++) this.#data[y * w + x] = 16 + (x >> 2);
    this.#data.fill(235, band * w, (band + 8) * w);
    this.#source.onFrame({ width: w, height: SCREEN_HEIGHT, data: this.#data });
  }
}

/**
 * One clock for every source in the process: each tick pushes the 10 ms audio frames that are
 * due (catching up after a stall of up to 200 ms, dropping the rest) and the video frames.
 */
export class MediaClock {
  readonly voices = new Set<Voice>();
  readonly screens = new Set<Screen>();
  #timer: ReturnType<typeof setInterval> | null = null;
  #t0 = 0;
  #audioSent = 0;
  #videoSent = 0;

  start(): void {
    if (this.#timer) return;
    this.#t0 = performance.now();
    this.#timer = setInterval(() => this.#tick(), 10);
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  #tick(): void {
    const elapsed = performance.now() - this.#t0;
    const audioDue = Math.floor(elapsed / 10);
    if (audioDue - this.#audioSent > 20) this.#audioSent = audioDue - 20;
    for (; this.#audioSent < audioDue; this.#audioSent++) for (const v of this.voices) v.push();
    const videoDue = Math.floor((elapsed * SCREEN_FPS) / 1000);
    if (videoDue > this.#videoSent) {
      this.#videoSent = videoDue;
      for (const s of this.screens) s.push();
    }
  }
}

/**
 * What one remote audio track delivered, decoded: 10 ms frames listened to, and those above
 * silence. An Ear listens without pause until it has heard the track, then one second in every
 * LISTEN_EVERY_MS: every frame crosses from libwebrtc into JavaScript, and at 72 tracks (nine
 * participants) listening to all of them all the time was a tenth of a core for nothing new.
 */
export const LISTEN_EVERY_MS = 3_000;
const LISTEN_MS = 1_000;

export class Ear {
  frames = 0;
  loudFrames = 0;
  readonly track: MediaStreamTrack;
  #sink: InstanceType<typeof RTCAudioSink> | null = null;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #stopped = false;

  constructor(track: MediaStreamTrack) {
    this.track = track;
    this.#listen();
  }

  #listen(): void {
    if (this.#stopped) return;
    const sink = new RTCAudioSink(this.track as never);
    this.#sink = sink;
    const heardBefore = this.loudFrames >= HEARD_FRAMES;
    sink.ondata = (d: { samples: Int16Array }) => {
      this.frames += 1;
      const s = d.samples;
      let sum = 0;
      for (let i = 0; i < s.length; i++) sum += s[i]! * s[i]!;
      if (Math.sqrt(sum / s.length) > SILENCE_RMS) this.loudFrames += 1;
      if (!heardBefore && this.loudFrames >= HEARD_FRAMES && !this.#timer) this.#timer = setTimeout(() => this.#pause(), LISTEN_MS);
    };
    if (heardBefore) this.#timer = setTimeout(() => this.#pause(), LISTEN_MS);
  }

  #pause(): void {
    this.#sink?.stop();
    this.#sink = null;
    this.#timer = this.#stopped ? null : setTimeout(() => ((this.#timer = null), this.#listen()), LISTEN_EVERY_MS - LISTEN_MS);
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#sink?.stop();
    this.#sink = null;
  }
}

/** Decoded frames of one remote video track, counted. */
export class Eye {
  frames = 0;
  readonly track: MediaStreamTrack;
  readonly #sink: InstanceType<typeof RTCVideoSink>;

  constructor(track: MediaStreamTrack) {
    this.track = track;
    this.#sink = new RTCVideoSink(track as never);
    this.#sink.onframe = () => void (this.frames += 1);
  }

  stop(): void {
    this.#sink.stop();
  }
}
