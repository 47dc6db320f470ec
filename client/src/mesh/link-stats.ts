/** Small readings of one link's stats: its sign of life, and our own audio level on it. */

/** Bytes received plus ICE checks exchanged: it grows while the peer is alive, however slow. */
export async function linkProgress(pc: RTCPeerConnection): Promise<number> {
  let total = 0;
  for (const r of (await pc.getStats()).values() as Iterable<{ type: string; bytesReceived?: number; responsesReceived?: number; requestsReceived?: number }>) {
    if (r.type === 'inbound-rtp') total += r.bytesReceived ?? 0;
    else if (r.type === 'candidate-pair') total += (r.responsesReceived ?? 0) + (r.requestsReceived ?? 0);
  }
  return total;
}

/** The microphone's level (0–1) as the browser measures it for an audio sender; null if unknown. */
export async function senderAudioLevel(sender: RTCRtpSender | null | undefined): Promise<number | null> {
  if (!sender?.track || typeof sender.getStats !== 'function') return null;
  for (const r of (await sender.getStats()).values() as Iterable<{ type: string; kind?: string; audioLevel?: number }>) {
    if (r.type === 'media-source' && r.kind === 'audio' && typeof r.audioLevel === 'number') return r.audioLevel;
  }
  return null;
}
