/**
 * Every remote voice this page plays: one audio element per person, kept out of the document
 * (see Media.tsx), with that person's volume, the chosen speaker, and whether the browser's
 * autoplay policy blocked playback (then a tap on "Tap to hear the others" starts them all).
 */
import { canChooseSpeaker } from '../media/devices';

const SPEAKER_KEY = 'meshtalk.speaker';

const players = new Map<string, HTMLAudioElement>();
const listeners = new Set<() => void>();
let blocked = false;
let speaker: string = (typeof localStorage !== 'undefined' && localStorage.getItem(SPEAKER_KEY)) || '';

function setBlocked(next: boolean): void {
  if (blocked === next) return;
  blocked = next;
  for (const l of listeners) l();
}

function start(audio: HTMLAudioElement): void {
  audio.play().then(
    () => undefined,
    (err: unknown) => {
      if ((err as DOMException)?.name === 'NotAllowedError') setBlocked(true);
    },
  );
}

function route(audio: HTMLAudioElement): void {
  if (!speaker || !canChooseSpeaker()) return;
  void audio.setSinkId(speaker).catch(() => undefined);
}

/** Starts playing `stream` as `key` (a participant id) at `volume` (0–100). */
export function play(key: string, stream: MediaStream, volume: number): void {
  stopPlaying(key);
  const audio = new Audio();
  audio.autoplay = true;
  audio.volume = volume / 100;
  audio.srcObject = stream;
  players.set(key, audio);
  route(audio);
  start(audio);
}

export function stopPlaying(key: string): void {
  const audio = players.get(key);
  if (!audio) return;
  players.delete(key);
  audio.pause();
  audio.srcObject = null;
}

export function setVolume(key: string, volume: number): void {
  const audio = players.get(key);
  if (audio) audio.volume = volume / 100;
}

export function chosenSpeaker(): string {
  return speaker;
}

/** Routes every voice, now and later, to the output `deviceId` ('' for the default). */
export function setSpeaker(deviceId: string): void {
  speaker = deviceId;
  localStorage.setItem(SPEAKER_KEY, deviceId);
  if (!canChooseSpeaker()) return;
  for (const audio of players.values()) void audio.setSinkId(deviceId).catch(() => undefined);
}

/** True while the browser refuses to play voices until the person interacts with the page. */
export const autoplayBlocked = (): boolean => blocked;

export function onAutoplayBlocked(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Called from a tap (a user gesture): plays every voice the policy had held back. */
export async function resumePlayback(): Promise<void> {
  const results = await Promise.allSettled([...players.values()].map((a) => a.play()));
  setBlocked(results.some((r) => r.status === 'rejected'));
}

/** Test hook: each voice's volume, whether it plays, and the output it plays on. */
export function debugPlayers(): { key: string; volume: number; paused: boolean; sinkId: string | null }[] {
  return [...players.entries()].map(([key, a]) => ({ key, volume: a.volume, paused: a.paused, sinkId: 'sinkId' in a ? a.sinkId : null }));
}
