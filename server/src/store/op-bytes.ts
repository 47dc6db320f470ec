/** What a queued write costs in memory, by estimate: the write queue's byte bound counts it. */
import type { WriteOp } from './types';

/** Fixed cost of one queued op (the object, its Date, the entry) beyond its strings. */
export const OP_OVERHEAD_BYTES = 320;

/**
 * A rough, deliberately generous estimate of what one op costs in memory: a fixed overhead plus
 * two bytes per character of every string and of the detail's JSON.
 */
export function opBytes(op: WriteOp): number {
  let n = OP_OVERHEAD_BYTES;
  for (const v of Object.values(op)) {
    if (typeof v === 'string') n += 2 * v.length;
    else if (v !== null && typeof v === 'object' && !(v instanceof Date)) {
      try {
        n += 64 + 2 * (JSON.stringify(v)?.length ?? 0);
      } catch {
        n += 1024;
      }
    }
  }
  return n;
}
