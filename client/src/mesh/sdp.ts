/**
 * What we ask of the peer's audio encoder, written into the descriptions we send. A format
 * parameter in an SDP says what its writer wants to receive; the peer's encoder reads it.
 *
 * `usedtx=1`: discontinuous transmission. While someone is silent (most of any call) their
 * encoder sends a comfort-noise frame every 400 ms instead of 50 packets a second. In a mesh each
 * person's voice reaches nine others, so silence costs every page nine decoders' and jitter
 * buffers' worth of packets; with DTX it costs almost nothing (bench/RESULTS.md).
 */
import type { SessionDescription } from '@meshtalk/protocol';

export function withAudioPreferences(description: SessionDescription): SessionDescription {
  if (!description.sdp) return description;
  const opus = [...description.sdp.matchAll(/^a=rtpmap:(\d+) opus\/48000/gim)].map((m) => m[1]);
  if (opus.length === 0) return description;
  const sdp = description.sdp.replace(/^a=fmtp:(\d+) (.*)$/gim, (line, pt: string, params: string) =>
    opus.includes(pt) && !/(^|;)\s*usedtx=/.test(params) ? `a=fmtp:${pt} ${params};usedtx=1` : line,
  );
  return { ...description, sdp };
}
