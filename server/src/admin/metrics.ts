/**
 * Prometheus exposition (prom-client): process defaults plus the room's own figures. The
 * composition root creates the metrics (the write queue's retries count from there); the app
 * adds the gauges that read the room once it exists (`watch`).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { CONNECT_WINDOW_TEXT } from '@meshtalk/protocol/admin';

export interface MetricsSources {
  participants: () => number;
  pairsByState: () => Record<string, number>;
  queueDepth: () => number;
}

/** The gauges read at scrape time from whatever the sources say then. */
function watch(registers: Registry[], sources: MetricsSources): void {
  new Gauge({
    name: 'meshtalk_participants',
    help: 'Participants in the room, including those in their reconnect grace period',
    registers,
    collect() {
      this.set(sources.participants());
    },
  });
  new Gauge({
    name: 'meshtalk_pairs',
    help: 'Peer pairs by connection state, as their two ends report',
    labelNames: ['state'] as const,
    registers,
    collect() {
      this.reset();
      for (const [state, n] of Object.entries(sources.pairsByState())) this.set({ state }, n);
    },
  });
  new Gauge({
    name: 'meshtalk_write_queue_depth',
    help: 'Rows waiting to be written to the database',
    registers,
    collect() {
      this.set(sources.queueDepth());
    },
  });
}

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  let watching = false;
  return {
    registry,
    /** Adds the room's gauges; once per registry. */
    watch(sources: MetricsSources): void {
      if (watching) throw new Error('metrics: watch() was already called');
      watching = true;
      watch(registers, sources);
    },
    connectionAttempts: new Counter({ name: 'meshtalk_connection_attempts_total', help: 'Peer pairs whose outcome was decided', registers }),
    connectionSuccesses: new Counter({ name: 'meshtalk_connection_successes_total', help: `Pairs connected within ${CONNECT_WINDOW_TEXT}`, labelNames: ['candidate_type'] as const, registers }),
    connectionFailures: new Counter({ name: 'meshtalk_connection_failures_total', help: `Pairs not connected within ${CONNECT_WINDOW_TEXT}`, registers }),
    iceRestarts: new Counter({ name: 'meshtalk_ice_restarts_total', help: 'ICE restarts reported by clients', labelNames: ['recovered'] as const, registers }),
    timeToConnect: new Histogram({
      name: 'meshtalk_time_to_connect_seconds',
      help: 'Time from offer to connected, per pair',
      buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
      registers,
    }),
    rtt: new Histogram({
      name: 'meshtalk_rtt_seconds',
      help: 'Round-trip time per reported link',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.4, 0.8, 1.6],
      registers,
    }),
    rejectedInputs: new Counter({ name: 'meshtalk_rejected_inputs_total', help: 'Inbound events refused, by reason', labelNames: ['reason', 'event'] as const, registers }),
    queueRetries: new Counter({ name: 'meshtalk_write_queue_retries_total', help: 'Failed database writes that were retried', registers }),
    queueShed: new Counter({
      name: 'meshtalk_write_queue_shed_total',
      help: 'Rows dropped because the write queue was full, by row kind (lifecycle rows only once nothing else was left)',
      labelNames: ['row', 'class'] as const,
      registers,
    }),
    refusedJoins: new Counter({ name: 'meshtalk_refused_joins_total', help: 'Joins refused because the room was full', registers }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
