/**
 * Socket.IO's parser, JSON only. The protocol never carries binary: a packet that announces
 * binary attachments (BINARY_EVENT, BINARY_ACK) or a raw binary frame is refused at once, so
 * the server never holds the parts of a half-sent binary packet. Throwing from `add` makes
 * Socket.IO close the connection ("parse error").
 */
import { Decoder, Encoder, PacketType } from 'socket.io-parser';

/** The first character of an encoded packet is its type. */
const BINARY_TYPES = new Set([String(PacketType.BINARY_EVENT), String(PacketType.BINARY_ACK)]);

export class JsonOnlyDecoder extends Decoder {
  override add(obj: unknown): void {
    if (typeof obj !== 'string') throw new Error('binary data is not accepted');
    if (BINARY_TYPES.has(obj.charAt(0))) throw new Error('binary attachments are not accepted');
    super.add(obj);
  }
}

/** The `parser` option of the Socket.IO server. */
export const jsonOnlyParser = { Encoder, Decoder: JsonOnlyDecoder };
