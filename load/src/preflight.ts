/**
 * Before anyone joins: one Socket.IO handshake by hand (an Engine.IO long-polling open, the
 * same Host and Origin the participants will send), so an unreachable server, something that
 * is not a meshtalk room, or a refused Host or Origin is one clear sentence instead of nine
 * sockets retrying. The session it opens is closed again at once.
 */

export async function preflight(server: string, origin: string, timeoutMs = 8_000): Promise<string | null> {
  const probe = new URL('/socket.io/?EIO=4&transport=polling', server);
  let res: Response;
  try {
    res = await fetch(probe, { headers: { origin }, signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
  } catch (err) {
    return `cannot reach ${server}: ${why(err, timeoutMs)}`;
  }
  const body = await res.text().catch(() => '');
  if (res.status === 403) {
    const message = refusal(body);
    if (message === 'origin not allowed') return `the room refused our Origin ${origin} (403 origin not allowed): the server's PUBLIC_URL or ALLOWED_ORIGINS must include it, or pass --origin`;
    if (message === 'host not allowed') return `the room refused the host ${probe.host} (403 host not allowed): use the address in the server's PUBLIC_URL`;
    return `the room refused the connection (403${message ? ` ${message}` : ''})`;
  }
  if (res.status === 404) return `no meshtalk room at ${server}: ${probe.pathname} answers 404`;
  if (res.status >= 300 && res.status < 400) return `${server} redirects to ${res.headers.get('location') ?? 'elsewhere'}: give that address`;
  if (res.status !== 200) return `${server} answered HTTP ${res.status} on ${probe.pathname}`;
  const open = /^0(\{.*\})/.exec(body);
  if (!open) return `no meshtalk room at ${server}: ${probe.pathname} does not speak Socket.IO`;
  const sid = (JSON.parse(open[1]!) as { sid?: string }).sid;
  if (sid) {
    // "1" is Engine.IO's close packet: the probe holds no connection slot afterwards.
    const close = new URL(`/socket.io/?EIO=4&transport=polling&sid=${encodeURIComponent(sid)}`, server);
    await fetch(close, { method: 'POST', body: '1', headers: { origin, 'content-type': 'text/plain;charset=UTF-8' }, signal: AbortSignal.timeout(timeoutMs) }).catch(() => undefined);
  }
  return null;
}

function refusal(body: string): string | null {
  try {
    const m = (JSON.parse(body) as { message?: unknown }).message;
    return typeof m === 'string' ? m : null;
  } catch {
    return null;
  }
}

function why(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError') return `no answer within ${timeoutMs / 1000} s`;
  const code = e.cause?.code;
  if (code === 'ECONNREFUSED') return 'connection refused (is the server running, on that port?)';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'no such host';
  if (code === 'ECONNRESET') return 'the connection was reset';
  if (code && /CERT|SSL|TLS/.test(code)) return `TLS: ${e.cause?.message ?? code}`;
  return e.cause?.message ?? (err as Error).message;
}
