/** The two shapes of a room command's answer. */
import type { ErrorCode } from '@meshtalk/protocol';
import type { Result, RoomEvent } from './types';

export const fail = <T>(code: ErrorCode, message: string, details?: Record<string, unknown>, events: RoomEvent[] = []): Result<T> => ({
  ok: false,
  error: details ? { code, message, details } : { code, message },
  events,
});
export const done = <T>(data: T, events: RoomEvent[] = []): Result<T> => ({ ok: true, data, events });
