/**
 * Configuration from the environment, validated by zod. `loadConfig` never reads process.env
 * itself: the composition root hands it the environment, tests hand it a plain object.
 */
import { z } from 'zod';
import { DEFAULT_ROOM_CAPACITY, MAX_ROOM_CAPACITY } from '@meshtalk/protocol';

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const list = z
  .string()
  .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean));
const origin = z.string().refine((s) => {
  try {
    const u = new URL(s);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.origin === s;
  } catch {
    return false;
  }
}, 'must be origins like https://talk.example.com (scheme, host, optional port; no path), comma-separated');

/**
 * A secret of at least 128 bits: 32 or more hex digits, or 22 or more base64 / base64url
 * characters (padding not counted). Anything else is refused, so a short or hand-typed value
 * never guards the admin surface. `openssl rand -hex 16` or `openssl rand -base64 32` make one.
 */
export function strongSecretProblem(s: string): string | null {
  if (/^[0-9a-fA-F]+$/.test(s)) return s.length >= 32 ? null : `has ${s.length * 4} bits; at least 128 are needed (32 hex digits)`;
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(s)) {
    const chars = s.replace(/=+$/, '').length;
    return chars >= 22 ? null : `has ${chars * 6} bits; at least 128 are needed (22 base64 characters)`;
  }
  return 'must be hex or base64/base64url (make one with `openssl rand -base64 32`)';
}
const secret = z.string().superRefine((s, ctx) => {
  const problem = strongSecretProblem(s);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

const ConfigSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: int(0, 65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  /** PostgreSQL URL; unset → embedded PGlite in DATA_DIR. */
  DATABASE_URL: z
    .string()
    .refine((s) => /^postgres(ql)?:\/\//.test(s), 'must be a postgres:// URL')
    .optional(),
  /** Where the embedded database keeps its files; `memory://` keeps nothing. */
  DATA_DIR: z.string().min(1).default('./data'),
  /** Where the built client lives (served as a single-page app). */
  CLIENT_DIST: z.string().min(1).default('client/dist'),
  MIGRATIONS_DIR: z.string().min(1).optional(),
  /** How many may be in the room; the protocol's stats reports are sized for MAX_ROOM_CAPACITY. */
  ROOM_CAPACITY: int(1, MAX_ROOM_CAPACITY).default(DEFAULT_ROOM_CAPACITY),
  /** How long a dropped participant keeps its slot, ms. */
  GRACE_MS: int(0, 10 * 60_000).default(20_000),
  /**
   * The room's public address, e.g. https://talk.example.com: sockets must come from this origin
   * and name its host (http/origin.ts). Required in production (or ALLOWED_ORIGINS).
   */
  PUBLIC_URL: z
    .string()
    .transform((s) => s.replace(/\/$/, ''))
    .pipe(origin)
    .optional(),
  /** Further origins allowed to open a socket; unset → PUBLIC_URL only (or, in development, our own origin). */
  ALLOWED_ORIGINS: list.pipe(z.array(origin)).optional(),
  /** Per-socket token bucket: burst size and refill per second. */
  RATE_LIMIT_BURST: int(1, 100_000).default(200),
  RATE_LIMIT_PER_SEC: int(1, 100_000).default(50),
  /** Messages dropped by the rate limit within 10 s past which the socket is closed. */
  RATE_LIMIT_DISCONNECT_AFTER: int(1, 1_000_000).default(100),
  /** Node's HTTP keep-alive; above the cloud load balancer's 600 s. */
  KEEP_ALIVE_TIMEOUT_MS: int(1_000, 3_600_000).default(620_000),
  /** How long a request may take to send its headers (slow-loris); at most 60 s. */
  HEADERS_TIMEOUT_MS: int(1_000, 60_000).default(20_000),
  /** Most TCP connections the HTTP server holds at once (sockets, page loads, probes). */
  HTTP_MAX_CONNECTIONS: int(10, 1_000_000).default(2_000),
  /** Most Socket.IO connections in all, and from one client address (see TRUST_PROXY_HOPS). */
  MAX_CONNECTIONS: int(1, 1_000_000).default(500),
  MAX_CONNECTIONS_PER_ADDRESS: int(1, 1_000_000).default(32),
  /**
   * How long a socket may leave the server's heartbeat unanswered before it counts as gone, ms
   * (Socket.IO's pingTimeout; the heartbeat is sent every 25 s). A closed connection is noticed at
   * once anyway; this is for silent ones, and a busy browser tab must not be taken for a dead one.
   */
  HEARTBEAT_TIMEOUT_MS: int(1_000, 300_000).default(20_000),
  /** A connection that has not joined the room this long after it opened (or left) is closed. */
  JOIN_TIMEOUT_MS: int(1_000, 600_000).default(10_000),
  /**
   * How many proxies in front of the server's sockets append to X-Forwarded-For: 0 when browsers
   * connect directly, 1 behind nginx.conf, 2 behind the GKE load balancer (it appends the client
   * and its own address). The client address is taken that many hops from the right, never further.
   */
  TRUST_PROXY_HOPS: int(0, 10).default(0),
  SHUTDOWN_TIMEOUT_MS: int(0, 120_000).default(10_000),
  /**
   * The write queue's bounds: rows, and estimated bytes. The defaults hold a long outage of a
   * busy room (lifecycle rows are a few per person-minute) and stay far below a 512 MiB pod.
   */
  WRITE_QUEUE_MAX_ROWS: int(100, 10_000_000).default(100_000),
  WRITE_QUEUE_MAX_BYTES: int(1 << 20, 4 * 1024 * 1024 * 1024).default(64 * 1024 * 1024),
  /** Bearer token for /admin and /api/admin (at least 128 bits). */
  ADMIN_TOKEN: secret.optional(),
  /**
   * The key resume tokens are signed with (at least 128 bits). Unset: one is made at the first
   * start and kept in the database (table server_secrets), so restarts keep identities either way.
   */
  SERVER_SECRET: secret.optional(),
  /** Bearer token for /metrics (at least 128 bits); unset → /metrics is off. */
  METRICS_TOKEN: secret.optional(),
  /** Comma-separated STUN/TURN URLs handed to clients. */
  STUN_URLS: list.optional(),
  TURN_URLS: list.optional(),
  TURN_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  /** Lifetime of a TURN username; fresh ones are pushed (ice:refresh) a fifth of it before expiry. */
  TURN_TTL_SEC: int(60, 7 * 24 * 3600).default(600),
  /** New TURN usernames one client address may get per minute; past it a join gets STUN only. */
  TURN_MINTS_PER_MIN: int(1, 10_000).default(10),
  /** Packet loss on a pair above which both ends are warned, and above which senders back off. */
  LOSS_POOR_PCT: z.coerce.number().min(0).max(100).default(5),
  LOSS_BAD_PCT: z.coerce.number().min(0).max(100).default(10),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Config = z.infer<typeof ConfigSchema>;

export type ConfigResult = { ok: true; config: Config } | { ok: false; message: string };

/** Parses the environment. A bad value yields one line naming the variable. */
export function loadConfig(env: Record<string, string | undefined>): ConfigResult {
  // Empty strings mean "unset", as they do in most shells and manifests.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = ConfigSchema.safeParse(cleaned);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0] ?? 'environment');
    return { ok: false, message: `invalid configuration: ${name}: ${issue.message}` };
  }
  const config = parsed.data;
  if (config.NODE_ENV === 'production' && config.PUBLIC_URL === undefined && config.ALLOWED_ORIGINS === undefined) {
    return { ok: false, message: 'invalid configuration: PUBLIC_URL: required in production: the address people open, e.g. https://talk.example.com (sockets are accepted from that origin and host only)' };
  }
  if (config.METRICS_TOKEN !== undefined && config.METRICS_TOKEN === config.ADMIN_TOKEN) {
    return { ok: false, message: 'invalid configuration: METRICS_TOKEN: must differ from ADMIN_TOKEN (a scraper must not hold the admin token)' };
  }
  if ((config.TURN_URLS === undefined) !== (config.TURN_SECRET === undefined)) {
    return { ok: false, message: 'invalid configuration: TURN_URLS and TURN_SECRET must be set together' };
  }
  return { ok: true, config };
}

/** The defaults, for tests that override a few values. */
export function testConfig(overrides: Record<string, string> = {}): Config {
  const r = loadConfig({ NODE_ENV: 'test', PORT: '0', HOST: '127.0.0.1', DATA_DIR: 'memory://', LOG_LEVEL: 'silent', ...overrides });
  if (!r.ok) throw new Error(r.message);
  return r.config;
}
