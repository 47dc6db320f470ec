import { describe, expect, it } from 'vitest';
import { withAudioPreferences } from '../src/mesh/sdp';

const offer = [
  'v=0',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111 63 9',
  'a=rtpmap:111 opus/48000/2',
  'a=fmtp:111 minptime=10;useinbandfec=1',
  'a=rtpmap:63 red/48000/2',
  'a=fmtp:63 111/111',
  'a=rtpmap:9 G722/8000',
  '',
].join('\r\n');

describe('audio preferences in the descriptions we send', () => {
  it('asks the peer for DTX on Opus only, leaving every other line as it was', () => {
    const out = withAudioPreferences({ type: 'offer', sdp: offer }).sdp!.split('\r\n');
    expect(out).toContain('a=fmtp:111 minptime=10;useinbandfec=1;usedtx=1');
    expect(out).toContain('a=fmtp:63 111/111');
    expect(out.filter((l) => l.includes('usedtx'))).toHaveLength(1);
    expect(out.length).toBe(offer.split('\r\n').length);
  });

  it('is idempotent and leaves a description without Opus alone', () => {
    const once = withAudioPreferences({ type: 'answer', sdp: offer });
    expect(withAudioPreferences(once)).toEqual(once);
    const noOpus = { type: 'offer' as const, sdp: 'v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=rtpmap:96 VP8/90000\r\na=fmtp:96 x=1\r\n' };
    expect(withAudioPreferences(noOpus)).toEqual(noOpus);
  });
});
