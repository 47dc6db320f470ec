import type { AddressInfo } from 'node:net';
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PERMISSIONS_POLICY, securityHeaders, socketOrigins } from '../../src/http/security';

function policy(header: string | null): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const part of (header ?? '').split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) map.set(name, values);
  }
  return map;
}

/** fetch() will not send a chosen Host header; node:http will. */
function get(url: string, host?: string): Promise<{ status: number; headers: IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: host ? { host } : {} }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('security headers (helmet)', () => {
  let server: Server;
  let base: string;

  beforeAll(async () => {
    const app = express();
    app.use(securityHeaders());
    app.get('/', (_req, res) => void res.type('html').send('<!doctype html><p>hi</p>'));
    app.get('/boom', () => {
      throw new Error('boom');
    });
    server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('sends a CSP that allows our own ws/wss origin and forbids framing, plugins and foreign scripts', async () => {
    const res = await get(`${base}/`, 'talk.example.com');
    const csp = policy(String(res.headers['content-security-policy']));
    expect(csp.get('default-src')).toEqual(["'self'"]);
    expect(csp.get('script-src')).toEqual(["'self'"]);
    expect(csp.get('connect-src')).toEqual(["'self'", 'wss://talk.example.com', 'ws://talk.example.com']);
    expect(csp.get('media-src')).toEqual(["'self'", 'blob:', 'mediastream:']);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    expect(csp.get('object-src')).toEqual(["'none'"]);
    expect(csp.has('upgrade-insecure-requests')).toBe(false);
  });

  it('keeps the port of a non-default host in the socket origin', async () => {
    const res = await fetch(`${base}/`);
    const port = new URL(base).port;
    expect(policy(res.headers.get('content-security-policy')).get('connect-src')).toContain(`wss://127.0.0.1:${port}`);
  });

  it('never echoes a Host header that could smuggle a directive', () => {
    expect(socketOrigins('evil.com; script-src *')).toBe('');
    expect(socketOrigins('a.example.com:8443')).toBe('wss://a.example.com:8443 ws://a.example.com:8443');
    expect(socketOrigins(undefined)).toBe('');
  });

  it('sends the rest of the set on every response, errors included', async () => {
    for (const path of ['/', '/nope', '/boom']) {
      const res = await fetch(`${base}${path}`);
      expect(res.headers.get('x-frame-options'), path).toBe('DENY');
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(res.headers.get('referrer-policy'), path).toBe('no-referrer');
      expect(res.headers.get('strict-transport-security'), path).toBe('max-age=31536000; includeSubDomains');
      expect(res.headers.get('cross-origin-opener-policy'), path).toBe('same-origin');
      expect(res.headers.get('permissions-policy'), path).toBe(PERMISSIONS_POLICY);
      // Express's own error pages carry the stricter `default-src 'none'` instead of ours.
      expect(res.headers.get('content-security-policy'), path).toMatch(path === '/' ? /frame-ancestors 'none'/ : /default-src '(none|self)'/);
      expect(res.headers.get('x-powered-by'), path).toBeNull();
    }
  });
});
