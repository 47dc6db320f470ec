/**
 * A minimal TURN client over UDP (RFC 8656, with RFC 6156's address family and long-term
 * credentials), enough to ask real coturn the two questions the deploy tests need: does it
 * grant an allocation to this username, and will it relay to this peer address
 * (CreatePermission)? Credentials are coturn's shared-secret ("TURN REST API") scheme, the one
 * the server mints: username "<expiry>:<id>", password base64(HMAC-SHA1(secret, username)).
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { isIPv4 } from 'node:net';
import { crc32 } from 'node:zlib';

const COOKIE = 0x2112a442;
const METHOD = { allocate: 0x003, refresh: 0x004, createPermission: 0x008 } as const;
const ATTR = {
  username: 0x0006,
  messageIntegrity: 0x0008,
  errorCode: 0x0009,
  lifetime: 0x000d,
  xorPeerAddress: 0x0012,
  realm: 0x0014,
  nonce: 0x0015,
  requestedAddressFamily: 0x0017,
  requestedTransport: 0x0019,
  fingerprint: 0x8028,
} as const;

/** 0 for success, else the STUN error code (401, 403, 486, …). */
export type Answer = number;

export function restCredentials(secret: string, id: string, ttlSec = 600, now = Date.now()): { username: string; password: string } {
  const username = `${Math.floor(now / 1000) + ttlSec}:${id}`;
  return { username, password: createHmac('sha1', secret).update(username).digest('base64') };
}

interface Message {
  type: number;
  attrs: Map<number, Buffer>;
}

function attr(type: number, value: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt16BE(type, 0);
  head.writeUInt16BE(value.length, 2);
  return Buffer.concat([head, value, Buffer.alloc((4 - (value.length % 4)) % 4)]);
}

function ipBytes(ip: string): Buffer {
  if (isIPv4(ip)) return Buffer.from(ip.split('.').map(Number));
  const [head, tail] = ip.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g || '0', 16), i * 2));
  return out;
}

function xorAddress(ip: string, port: number, txid: Buffer): Buffer {
  const addr = ipBytes(ip);
  const mask = Buffer.alloc(16);
  mask.writeUInt32BE(COOKIE, 0);
  txid.copy(mask, 4);
  const out = Buffer.alloc(4 + addr.length);
  out[1] = addr.length === 4 ? 0x01 : 0x02;
  out.writeUInt16BE(port ^ (COOKIE >>> 16), 2);
  for (let i = 0; i < addr.length; i++) out[4 + i] = addr[i]! ^ mask[i]!;
  return out;
}

/** Encodes a request; with a key, appends MESSAGE-INTEGRITY (and always FINGERPRINT). */
function encode(method: number, txid: Buffer, attrs: Buffer[], key?: Buffer): Buffer {
  const header = (bodyLength: number) => {
    const h = Buffer.alloc(20);
    h.writeUInt16BE(method, 0);
    h.writeUInt16BE(bodyLength, 2);
    h.writeUInt32BE(COOKIE, 4);
    txid.copy(h, 8);
    return h;
  };
  let body = Buffer.concat(attrs);
  if (key) {
    const mac = createHmac('sha1', key).update(Buffer.concat([header(body.length + 24), body])).digest();
    body = Buffer.concat([body, attr(ATTR.messageIntegrity, mac)]);
  }
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE((crc32(Buffer.concat([header(body.length + 8), body])) ^ 0x5354554e) >>> 0, 0);
  body = Buffer.concat([body, attr(ATTR.fingerprint, crc)]);
  return Buffer.concat([header(body.length), body]);
}

function decode(buf: Buffer): { txid: string; message: Message } | null {
  if (buf.length < 20 || buf.readUInt32BE(4) !== COOKIE) return null;
  const attrs = new Map<number, Buffer>();
  let at = 20;
  const end = 20 + buf.readUInt16BE(2);
  while (at + 4 <= end) {
    const type = buf.readUInt16BE(at);
    const len = buf.readUInt16BE(at + 2);
    attrs.set(type, buf.subarray(at + 4, at + 4 + len));
    at += 4 + len + ((4 - (len % 4)) % 4);
  }
  return { txid: buf.subarray(8, 20).toString('hex'), message: { type: buf.readUInt16BE(0), attrs } };
}

const errorCode = (m: Message): Answer => {
  if ((m.type & 0x0110) === 0x0100) return 0;
  const e = m.attrs.get(ATTR.errorCode);
  return e ? (e[2]! & 0x7) * 100 + e[3]! : -1;
};

/** One client 5-tuple, hence at most one allocation (RFC 8656 §2.2). */
export class TurnClient {
  private readonly socket: Socket = createSocket('udp4');
  private readonly pending = new Map<string, (m: Message) => void>();
  private realm: Buffer | null = null;
  private nonce: Buffer | null = null;
  private allocated = false;

  constructor(
    private readonly server: { host: string; port: number },
    private readonly credentials: { username: string; password: string },
  ) {
    this.socket.on('message', (buf) => {
      const d = decode(buf);
      if (d) this.pending.get(d.txid)?.(d.message);
    });
  }

  private send(method: number, txid: Buffer, attrs: Buffer[], key?: Buffer): Promise<Message> {
    const packet = encode(method, txid, attrs, key);
    return new Promise((resolve, reject) => {
      let tries = 0;
      const fire = () => {
        if (tries++ === 4) {
          this.pending.delete(txid.toString('hex'));
          reject(new Error('TURN server did not answer'));
          return;
        }
        this.socket.send(packet, this.server.port, this.server.host);
        timer = setTimeout(fire, 500);
      };
      let timer: NodeJS.Timeout;
      this.pending.set(txid.toString('hex'), (m) => {
        clearTimeout(timer);
        this.pending.delete(txid.toString('hex'));
        resolve(m);
      });
      fire();
    });
  }

  /** A request with long-term credentials: learns realm and nonce from the first 401 (or a 438 stale nonce). */
  private async authed(method: number, attrs: (txid: Buffer) => Buffer[]): Promise<Answer> {
    for (let round = 0; round < 3; round++) {
      const txid = randomBytes(12);
      const auth = this.realm && this.nonce
        ? [attr(ATTR.username, Buffer.from(this.credentials.username)), attr(ATTR.realm, this.realm), attr(ATTR.nonce, this.nonce)]
        : [];
      const key = this.realm
        ? createHash('md5').update(`${this.credentials.username}:${this.realm.toString()}:${this.credentials.password}`).digest()
        : undefined;
      const answer = await this.send(method, txid, [...attrs(txid), ...auth], auth.length ? key : undefined);
      const code = errorCode(answer);
      const fresh = answer.attrs.get(ATTR.nonce);
      if ((code === 401 && !auth.length) || code === 438) {
        this.realm = answer.attrs.get(ATTR.realm) ?? this.realm;
        this.nonce = fresh ?? this.nonce;
        continue;
      }
      return code;
    }
    return 401;
  }

  /** Allocate a UDP relay in the given family: 0 when granted, else the error code (486 = quota). */
  async allocate(family: 4 | 6 = 4): Promise<Answer> {
    await new Promise<void>((resolve) => this.socket.bind(0, '127.0.0.1', resolve));
    const attrs = [attr(ATTR.requestedTransport, Buffer.from([17, 0, 0, 0]))];
    if (family === 6) attrs.push(attr(ATTR.requestedAddressFamily, Buffer.from([0x02, 0, 0, 0])));
    const code = await this.authed(METHOD.allocate, () => attrs);
    this.allocated = code === 0;
    return code;
  }

  /** Ask the relay to accept traffic to and from `ip`: 0 when permitted, 403 when the server forbids that peer. */
  createPermission(ip: string): Promise<Answer> {
    return this.authed(METHOD.createPermission, (txid) => [attr(ATTR.xorPeerAddress, xorAddress(ip, 0, txid))]);
  }

  /** Releases the allocation (a Refresh with lifetime 0) and the socket. */
  async close(): Promise<void> {
    if (this.allocated) {
      const zero = Buffer.alloc(4);
      await this.authed(METHOD.refresh, () => [attr(ATTR.lifetime, zero)]).catch(() => undefined);
      this.allocated = false;
    }
    this.socket.close();
  }
}
