/**
 * Audio levels from Web Audio analysers, for the lobby's microphone meter: one shared
 * AudioContext, one analyser per stream, read on demand. The context is closed when the last
 * stream is unwatched: in the call, levels come from RTP instead (call/Speaking.ts), and an
 * AudioContext left running costs every page a real-time audio thread.
 */

let context: AudioContext | null = null;
const analysers = new Map<string, { node: AnalyserNode; source: MediaStreamAudioSourceNode; buffer: Float32Array<ArrayBuffer> }>();

function audioContext(): AudioContext | null {
  if (typeof AudioContext === 'undefined') return null;
  context ??= new AudioContext();
  if (context.state === 'suspended') void context.resume();
  return context;
}

export function watchLevel(key: string, stream: MediaStream): void {
  unwatchLevel(key);
  const ctx = audioContext();
  if (!ctx || stream.getAudioTracks().length === 0) return;
  const source = ctx.createMediaStreamSource(stream);
  const node = ctx.createAnalyser();
  node.fftSize = 512;
  source.connect(node);
  analysers.set(key, { node, source, buffer: new Float32Array(node.fftSize) });
}

export function unwatchLevel(key: string): void {
  const a = analysers.get(key);
  if (!a) return;
  a.source.disconnect();
  analysers.delete(key);
  if (analysers.size === 0 && context) {
    void context.close().catch(() => undefined);
    context = null;
  }
}

/** Root-mean-square level in [0, 1], or 0 for an unknown key. */
export function level(key: string): number {
  const a = analysers.get(key);
  if (!a) return 0;
  a.node.getFloatTimeDomainData(a.buffer);
  let sum = 0;
  for (const v of a.buffer) sum += v * v;
  return Math.sqrt(sum / a.buffer.length);
}
