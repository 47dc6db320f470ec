/**
 * What a full write queue dropped, made visible: every shed row is counted in
 * `meshtalk_write_queue_shed_total` at once, and the log gets one line per interval with the
 * counts by row kind since the last line (never one line per row).
 */
import type { Logger } from 'pino';
import type { WriteOp } from '../store/types';
import type { Metrics } from './metrics';

/** How often shed rows are summed up in the log. */
export const SHED_LOG_EVERY_MS = 10_000;

export interface ShedReport {
  /** The write queue's `onShed` hook. */
  onShed(op: WriteOp, lowValue: boolean): void;
  /** Writes the line for the interval now (if anything was shed); returns what it logged. */
  log(): Record<string, number> | null;
  /** Stops the periodic line. */
  stop(): void;
}

export function createShedReport(deps: {
  metrics: Metrics;
  logger: Logger;
  queue: () => { depth: number; bytes: number } | null;
  everyMs?: number;
}): ShedReport {
  const since = new Map<string, number>();
  const log = () => {
    if (since.size === 0) return null;
    const shed = Object.fromEntries(since);
    since.clear();
    const q = deps.queue();
    deps.logger.warn({ shed, depth: q?.depth, bytes: q?.bytes }, 'write queue full; rows shed (low-value rows first)');
    return shed;
  };
  const timer = setInterval(log, deps.everyMs ?? SHED_LOG_EVERY_MS);
  timer.unref();
  return {
    onShed(op, lowValue) {
      const row = op.kind === 'event' ? op.type : op.kind;
      deps.metrics.queueShed.inc({ row, class: lowValue ? 'low_value' : 'lifecycle' });
      since.set(row, (since.get(row) ?? 0) + 1);
    },
    log,
    stop: () => clearInterval(timer),
  };
}
