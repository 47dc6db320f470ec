// Linted as if it were server/src/room/*.ts: the protocol and the room's own files are fine.
import { ErrorCode } from '@meshtalk/protocol';
import type { Room } from './Room';

export type R = Room;
export const code = ErrorCode.room_full;
