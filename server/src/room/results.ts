/** The room's result builders: a refusal with its code, or data with the events it caused. */
import type { ErrorCode } from '@meshtalk/protocol';
import type { Result, RoomEvent } from './types';

export const fail = <T>(code: ErrorCode, message: string, details?: Record<string, unknown>, events: RoomEvent[] = []): Result<T> => ({
  ok: false,
  error: details ? { code, message, details } : { code, message },
  events,
});
export const done = <T>(data: T, events: RoomEvent[] = []): Result<T> => ({ ok: true, data, events });
