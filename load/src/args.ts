/** The command line of `npm run load`: options, or one sentence saying what is wrong. */
import { parseArgs } from 'node:util';

export const USAGE = `usage: npm run load -- --url <room URL> [--participants N] [--seconds S] [--names "A,B,…"]
                     [--relay] [--share] [--audio file.wav] [--ptime 20|40|60] [--origin <origin>]
                     [--json]

  --url           the room's address, as people open it (http://, https://; ws:// and wss:// too)
  --participants  how many headless participants join, 1–50 (default: as many as --names, else 9)
  --seconds       how long they stay; every pair must connect with audio within it (default 60)
  --names         their names, comma-separated (default "Load 1", "Load 2", …)
  --relay         relay-only ICE: every pair through the room's TURN server
  --share         the first participant presents a synthetic screen; the others count its frames
  --audio         speak this WAV file (16-bit PCM) in a loop instead of a tone
  --ptime         ms of audio per packet they ask for (default 20, as browsers send); 60 sends
                  a third of the packets, for a machine too small for the room it hosts
  --origin        the Origin header to send (default: the room URL's origin, as its page would)
  --json          machine-readable: one JSON object per line (progress, then the summary)`;

export const MAX_PARTICIPANTS = 50;
/** The audio per packet browsers send, ms: the default, and a description left as it is. */
export const BROWSER_PTIME = 20;
/** Opus frame lengths a libwebrtc sender takes from the receiver's a=ptime. */
const PTIMES = ['20', '40', '60'];

export interface Options {
  url: URL;
  origin: string;
  participants: number;
  seconds: number;
  names: string[];
  relay: boolean;
  share: boolean;
  audio: string | null;
  /** Audio per packet asked of every sender to a headless participant, ms. */
  ptime: number;
  json: boolean;
}

export type Parsed = { ok: true; options: Options } | { ok: false; error: string } | { ok: 'help' };

function whole(value: string, what: string, min: number, max: number): number | string {
  if (!/^\d+$/.test(value)) return `${what} must be a whole number, not "${value}"`;
  const n = Number(value);
  if (n < min || n > max) return `${what} must be between ${min} and ${max}, not ${n}`;
  return n;
}

/** The room URL as the signaling client needs it: http(s), ws(s) mapped to http(s). */
export function roomUrl(raw: string): URL | string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return `bad URL "${raw}": give the room's address, e.g. https://room.example.com/`;
  }
  const scheme = { 'http:': 'http:', 'https:': 'https:', 'ws:': 'http:', 'wss:': 'https:' }[url.protocol];
  if (!scheme) return `bad URL "${raw}": the scheme must be http, https, ws or wss, not ${url.protocol.replace(':', '')}`;
  if (url.username || url.password) return `bad URL "${raw}": no user name or password in the room's address`;
  return new URL(`${scheme}//${url.host}${url.pathname}`);
}

export function parse(argv: string[]): Parsed {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        url: { type: 'string' },
        participants: { type: 'string' },
        seconds: { type: 'string' },
        names: { type: 'string' },
        relay: { type: 'boolean' },
        share: { type: 'boolean' },
        audio: { type: 'string' },
        ptime: { type: 'string' },
        origin: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    return { ok: false, error: (err as Error).message.split('\n')[0]! };
  }
  if (values.help) return { ok: 'help' };
  if (!values.url) return { ok: false, error: '--url is required: the room\'s address, e.g. --url https://room.example.com/' };
  const url = roomUrl(values.url);
  if (typeof url === 'string') return { ok: false, error: url };

  const names = values.names === undefined ? [] : values.names.split(',').map((n) => n.trim());
  if (names.some((n) => n === '')) return { ok: false, error: '--names has an empty name: give them comma-separated, e.g. --names "Ann,Bob"' };
  let participants = names.length || 9;
  if (values.participants !== undefined) {
    const n = whole(values.participants, '--participants', 1, MAX_PARTICIPANTS);
    if (typeof n === 'string') return { ok: false, error: n };
    participants = n;
  }
  if (names.length > 0 && names.length !== participants) return { ok: false, error: `--names has ${names.length} names for ${participants} participants` };
  let seconds = 60;
  if (values.seconds !== undefined) {
    const s = whole(values.seconds, '--seconds', 1, 86_400);
    if (typeof s === 'string') return { ok: false, error: s };
    seconds = s;
  }
  let ptime = BROWSER_PTIME;
  if (values.ptime !== undefined) {
    if (!PTIMES.includes(values.ptime)) return { ok: false, error: `--ptime must be one of ${PTIMES.join(', ')} (ms of audio per packet), not "${values.ptime}"` };
    ptime = Number(values.ptime);
  }
  let origin = url.origin;
  if (values.origin !== undefined) {
    const o = roomUrl(values.origin);
    if (typeof o === 'string') return { ok: false, error: o.replace('bad URL', 'bad --origin') };
    origin = values.origin.replace(/\/+$/, '');
  }
  return {
    ok: true,
    options: {
      url,
      origin,
      participants,
      seconds,
      names: names.length ? names : Array.from({ length: participants }, (_, i) => `Load ${i + 1}`),
      relay: values.relay ?? false,
      share: values.share ?? false,
      audio: values.audio ?? null,
      ptime,
      json: values.json ?? false,
    },
  };
}
