import { describe, expect, it } from 'vitest';
import { iceFromConfig, iceServersFor, turnCredential, turnUsername, type TurnOptions } from '../../src/turn/credentials';
import { testConfig } from '../../src/config';

const options: TurnOptions = { urls: ['turn:turn.example.com:3478?transport=udp', 'turns:turn.example.com:5349'], secret: 'north-wind-correct-horse', ttlSec: 3600 };
// 2023-11-14T22:13:20Z
const now = 1_700_000_000_000;

describe('TURN credentials (coturn REST API)', () => {
  it('username is "<expiry unix seconds>:<participantId>"', () => {
    expect(turnUsername('p-1', 1_700_003_600)).toBe('1700003600:p-1');
  });

  it('credential is base64(HMAC-SHA1(secret, username)), as openssl computes it', () => {
    // printf '%s' '1700003600:p-1' | openssl dgst -sha1 -hmac north-wind-correct-horse -binary | base64
    expect(turnCredential(options.secret, '1700003600:p-1')).toBe('OTV5vZ2xVLN61+qSCoTos2onyzw=');
    expect(turnCredential('north-wind-correct-horsE', '1700003600:p-1')).toBe('wbNiPlEqzAKVHX0Wz2VZ3YxHqg4=');
  });

  it('mints one ICE server with every URL, expiring ttlSec from now', () => {
    const grant = iceServersFor('p-1', options, now);
    expect(grant).toEqual({
      iceServers: [{ urls: options.urls, username: '1700003600:p-1', credential: 'OTV5vZ2xVLN61+qSCoTos2onyzw=' }],
      expiresAt: 1_700_003_600_000,
    });
  });

  it('rounds the current time down to whole seconds, so expiresAt never exceeds what coturn enforces', () => {
    const grant = iceServersFor('p-1', options, now + 999);
    expect(grant.iceServers[0]!.username).toBe('1700003600:p-1');
    expect(grant.expiresAt).toBe(1_700_003_600_000);
  });

  it('is pure: same inputs, same credentials; another participant or time, another credential', () => {
    const a = iceServersFor('p-1', options, now);
    expect(iceServersFor('p-1', options, now)).toEqual(a);
    expect(iceServersFor('p-2', options, now).iceServers[0]!.credential).not.toBe(a.iceServers[0]!.credential);
    expect(iceServersFor('p-1', options, now + 1000).iceServers[0]!.credential).not.toBe(a.iceServers[0]!.credential);
  });

  it('does not share the caller\'s URL array', () => {
    const urls = ['turn:a.example.com'];
    const grant = iceServersFor('p-1', { ...options, urls }, now);
    urls.push('turn:b.example.com');
    expect(grant.iceServers[0]!.urls).toEqual(['turn:a.example.com']);
  });

  it('refuses a configuration that cannot work (programmer error)', () => {
    expect(() => iceServersFor('p-1', { ...options, urls: [] }, now)).toThrow(/no TURN URLs/);
    expect(() => iceServersFor('p-1', { ...options, ttlSec: 0 }, now)).toThrow(/ttlSec/);
  });
});

describe('iceFromConfig (what the join ack and ice:refresh carry)', () => {
  it('without TURN: the STUN URLs only, never expiring', () => {
    const ice = iceFromConfig(testConfig({ STUN_URLS: 'stun:stun.example.com:3478' }));
    expect(ice('p-1', now)).toEqual({ iceServers: [{ urls: ['stun:stun.example.com:3478'] }], expiresAt: null });
    expect(iceFromConfig(testConfig())('p-1', now)).toEqual({ iceServers: [], expiresAt: null });
  });

  it('with TURN: STUN first, then credentials minted per participant from the configured secret and TTL', () => {
    const config = testConfig({ STUN_URLS: 'stun:stun.example.com', TURN_URLS: 'turn:turn.example.com:3478', TURN_SECRET: options.secret, TURN_TTL_SEC: '3600' });
    const grant = iceFromConfig(config)('p-1', now);
    expect(grant).toEqual({
      iceServers: [{ urls: ['stun:stun.example.com'] }, { urls: ['turn:turn.example.com:3478'], username: '1700003600:p-1', credential: 'OTV5vZ2xVLN61+qSCoTos2onyzw=' }],
      expiresAt: 1_700_003_600_000,
    });
  });
});
