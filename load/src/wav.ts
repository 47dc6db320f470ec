/**
 * Reads a WAV file for `--audio`: 16-bit PCM, mono or stereo (mixed down), at a sample rate
 * that divides into 10 ms frames (8, 16, 24, 32, 44.1 or 48 kHz…). Anything else is refused
 * with a sentence saying what the file is and what is needed.
 */

export interface Pcm {
  sampleRate: number;
  /** Mono samples. */
  samples: Int16Array;
}

export function parseWav(buf: Buffer): Pcm | { error: string } {
  if (buf.length < 12 || buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') return { error: 'not a WAV file (no RIFF/WAVE header)' };
  let fmt: { format: number; channels: number; sampleRate: number; bits: number } | null = null;
  let data: Buffer | null = null;
  for (let at = 12; at + 8 <= buf.length; ) {
    const id = buf.toString('ascii', at, at + 4);
    const size = buf.readUInt32LE(at + 4);
    const body = buf.subarray(at + 8, Math.min(buf.length, at + 8 + size));
    if (id === 'fmt ' && body.length >= 16) {
      fmt = { format: body.readUInt16LE(0), channels: body.readUInt16LE(2), sampleRate: body.readUInt32LE(4), bits: body.readUInt16LE(14) };
    } else if (id === 'data') data = body;
    at += 8 + size + (size % 2);
  }
  if (!fmt || !data) return { error: 'a WAV file without its fmt or data chunk' };
  // 0xfffe is WAVE_FORMAT_EXTENSIBLE, which carries plain PCM too.
  if ((fmt.format !== 1 && fmt.format !== 0xfffe) || fmt.bits !== 16) return { error: `${fmt.bits}-bit WAV (format ${fmt.format}): 16-bit PCM is needed` };
  if (fmt.channels < 1 || fmt.channels > 2) return { error: `${fmt.channels} channels: mono or stereo is needed` };
  if (fmt.sampleRate < 8000 || fmt.sampleRate > 48000 || fmt.sampleRate % 100 !== 0) return { error: `${fmt.sampleRate} Hz: 8 000 to 48 000 Hz in whole hundreds is needed` };
  const frames = Math.floor(data.length / (2 * fmt.channels));
  if (frames < fmt.sampleRate / 100) return { error: 'shorter than 10 ms of audio' };
  const samples = new Int16Array(frames);
  for (let i = 0; i < frames; i++) {
    const at = i * 2 * fmt.channels;
    samples[i] = fmt.channels === 1 ? data.readInt16LE(at) : (data.readInt16LE(at) + data.readInt16LE(at + 2)) >> 1;
  }
  return { sampleRate: fmt.sampleRate, samples };
}

/** A mono 16-bit PCM WAV file (for tests and for making a file to speak). */
export function encodeWav({ sampleRate, samples }: Pcm): Buffer {
  const out = Buffer.alloc(44 + samples.length * 2);
  out.write('RIFF', 0, 'ascii');
  out.writeUInt32LE(36 + samples.length * 2, 4);
  out.write('WAVEfmt ', 8, 'ascii');
  out.writeUInt32LE(16, 16);
  out.writeUInt16LE(1, 20);
  out.writeUInt16LE(1, 22);
  out.writeUInt32LE(sampleRate, 24);
  out.writeUInt32LE(sampleRate * 2, 28);
  out.writeUInt16LE(2, 32);
  out.writeUInt16LE(16, 34);
  out.write('data', 36, 'ascii');
  out.writeUInt32LE(samples.length * 2, 40);
  for (let i = 0; i < samples.length; i++) out.writeInt16LE(samples[i]!, 44 + i * 2);
  return out;
}
