import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config';

describe('configuration from the environment', () => {
  it('has defaults that start a room with no setup', () => {
    const r = loadConfig({});
    expect(r.ok && r.config).toMatchObject({ PORT: 3000, DATA_DIR: './data', GRACE_MS: 20_000, ROOM_CAPACITY: 10 });
    expect(r.ok && r.config.DATABASE_URL).toBeUndefined();
  });

  it.each([
    ['PORT', { PORT: 'eighty' }],
    ['GRACE_MS', { GRACE_MS: '-5' }],
    ['DATABASE_URL', { DATABASE_URL: 'mysql://x' }],
    ['ALLOWED_ORIGINS', { ALLOWED_ORIGINS: 'https://ok.example, not a url' }],
    ['ADMIN_TOKEN', { ADMIN_TOKEN: 'short' }],
    ['TURN_URLS', { TURN_URLS: 'turn:turn.example.com:3478' }],
  ])('a bad %s stops start-up with one line naming it', (name, env) => {
    const r = loadConfig(env);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.message).toContain(name);
      expect(r.message.split('\n')).toHaveLength(1);
    }
  });

  it.each([
    ['ADMIN_TOKEN', 'a'.repeat(31), false],
    ['ADMIN_TOKEN', 'a'.repeat(32), true],
    ['ADMIN_TOKEN', 'abcdefghijklmnop', false], // 16 characters: enough before, 96 bits
    ['ADMIN_TOKEN', 'Zm9vYmFyYmF6cXV4cXV1eA', true], // 22 base64url characters
    ['ADMIN_TOKEN', 'Zm9vYmFyYmF6cXV4cXV1e', false],
    ['ADMIN_TOKEN', 'correct horse battery staple!', false], // not hex or base64: strength unknown
    ['METRICS_TOKEN', 'b'.repeat(31), false],
    ['METRICS_TOKEN', 'b'.repeat(32), true],
  ])('[M2] %s %j: accepted only with at least 128 bits (%s)', (name, value, ok) => {
    const r = loadConfig({ [name]: value });
    expect(r.ok).toBe(ok);
    if (!r.ok) expect(r.message).toMatch(new RegExp(`^invalid configuration: ${name}: .*(128|hex or base64)`));
  });

  it('[M5] production needs the public address (PUBLIC_URL, or ALLOWED_ORIGINS), and says so', () => {
    const r = loadConfig({ NODE_ENV: 'production' });
    expect(!r.ok && r.message).toMatch(/^invalid configuration: PUBLIC_URL: required in production/);
    expect(loadConfig({ NODE_ENV: 'production', PUBLIC_URL: 'https://talk.example.com/' })).toMatchObject({ ok: true, config: { PUBLIC_URL: 'https://talk.example.com' } });
    expect(loadConfig({ NODE_ENV: 'production', ALLOWED_ORIGINS: 'https://talk.example.com' }).ok).toBe(true);
    expect(loadConfig({ PUBLIC_URL: 'https://talk.example.com/room' }).ok).toBe(false);
    expect(loadConfig({ PUBLIC_URL: 'talk.example.com' }).ok).toBe(false);
    // Development needs nothing: the server's own origin on loopback or an IP address.
    expect(loadConfig({}).ok).toBe(true);
  });

  it('[M2] refuses a metrics token equal to the admin token', () => {
    const r = loadConfig({ ADMIN_TOKEN: 'a'.repeat(32), METRICS_TOKEN: 'a'.repeat(32) });
    expect(!r.ok && r.message).toMatch(/^invalid configuration: METRICS_TOKEN: must differ from ADMIN_TOKEN/);
  });

  it('reads comma-separated lists and treats empty strings as unset', () => {
    const r = loadConfig({ ALLOWED_ORIGINS: 'https://a.example, https://b.example', DATABASE_URL: '' });
    expect(r.ok && r.config.ALLOWED_ORIGINS).toEqual(['https://a.example', 'https://b.example']);
    expect(r.ok && r.config.DATABASE_URL).toBeUndefined();
  });
});
