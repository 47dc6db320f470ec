/** `--ptime`: what a headless participant's descriptions ask of every sender to it. */
import { describe, expect, it } from 'vitest';
import { withPtime } from '../src/peer-connection';

const OFFER = [
  'v=0',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111 63 9',
  'a=rtpmap:111 opus/48000/2',
  'a=rtcp-fb:111 transport-cc',
  'a=fmtp:111 minptime=10;useinbandfec=1',
  'a=rtpmap:63 red/48000/2',
  'a=rtpmap:9 G722/8000',
  'm=video 9 UDP/TLS/RTP/SAVPF 96',
  'a=rtpmap:96 VP8/90000',
  '',
].join('\r\n');

describe('withPtime', () => {
  it('asks for 60 ms packets on the Opus line only, in the Opus media section', () => {
    const out = withPtime(OFFER, 60);
    expect(out.split('\r\n').filter((l) => l.startsWith('a=ptime'))).toEqual(['a=ptime:60']);
    expect(out).toContain('a=rtpmap:111 opus/48000/2\r\na=ptime:60\r\na=rtcp-fb:111 transport-cc');
    expect(out.replace('a=ptime:60\r\n', '')).toBe(OFFER);
  });

  it('leaves the description as it is at 20 ms, what browsers send', () => {
    expect(withPtime(OFFER, 20)).toBe(OFFER);
  });
});
