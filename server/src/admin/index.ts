/**
 * Connection health for admins and participants: feeds the HealthMonitor from the signaling
 * adapter, persists outcomes and reports through the write queue, warns the two ends of a lossy
 * pair, keeps the Prometheus metrics and a rolling sample of live figures.
 */
import type { Express } from 'express';
import { ClientRequests, type LinkQuality } from '@meshtalk/protocol';
import type { Room } from '../room/Room';
import type { SignalingObserver } from '../signaling/attach';
import type { Store, WriteOp } from '../store/types';
import { HealthMonitor, type HealthEffect, type QualityThresholds } from './HealthMonitor';
import { createMetrics, type Metrics } from './metrics';
import { Samples, mountAdmin } from './routes';

export interface AdminSideDeps {
  room: Room;
  store: Store;
  enqueue: (op: WriteOp) => void;
  newId: () => string;
  now: () => number;
  queueDepth: () => number;
  thresholds: QualityThresholds;
  /** Sends a link-quality warning to a participant. */
  warn: (participantId: string, payload: LinkQuality) => void;
  sampleEveryMs?: number;
}

export interface AdminSide {
  observer: SignalingObserver;
  metrics: Metrics;
  health: HealthMonitor;
  /** Mounts /api/admin and /metrics behind the token. */
  mount(app: Express, token: string): void;
  stop(): void;
}

export function createAdminSide(deps: AdminSideDeps): AdminSide {
  const { room, now } = deps;
  const health = new HealthMonitor(deps.thresholds);
  const samples = new Samples();
  const metrics = createMetrics({
    participants: () => room.size,
    pairsByState: () => health.live(now()).pairsByState,
    queueDepth: deps.queueDepth,
  });

  const event = (type: Extract<WriteOp, { kind: 'event' }>['type'], participantId: string | null, detail: Record<string, unknown>) => {
    const sessionId = room.sessionId;
    if (sessionId) deps.enqueue({ kind: 'event', id: deps.newId(), sessionId, type, participantId, at: new Date(now()), detail });
  };

  const handle = (effects: HealthEffect[]) => {
    for (const e of effects) {
      switch (e.type) {
        case 'quality':
          deps.warn(e.to, e.payload);
          if (e.payload.quality !== 'good' && e.to < e.payload.peerId) event('link_poor', e.to, { peerId: e.payload.peerId, quality: e.payload.quality, lossPct: e.payload.lossPct });
          break;
        case 'outcome': {
          const x = e.attempt;
          metrics.connectionAttempts.inc();
          if (x.outcome === 'success') {
            metrics.connectionSuccesses.inc({ candidate_type: x.candidateType ?? 'unknown' });
            if (x.connectMs !== null) metrics.timeToConnect.observe(x.connectMs / 1000);
          } else metrics.connectionFailures.inc();
          event(x.outcome === 'success' ? 'connection_succeeded' : 'connection_failed', null, {
            a: x.a,
            b: x.b,
            connectMs: x.connectMs,
            candidateType: x.candidateType,
            rttMs: health.live(now()).pairs.find((p) => p.a === x.a && p.b === x.b)?.rttMs ?? null,
          });
          break;
        }
        case 'report': {
          const r = e.report;
          if (r.rttMs !== null) metrics.rtt.observe(r.rttMs / 1000);
          const sessionId = room.sessionId;
          if (!sessionId) break;
          deps.enqueue({
            kind: 'connection_report',
            id: deps.newId(),
            sessionId,
            fromId: e.from,
            toId: r.peerId,
            at: new Date(r.at),
            state: r.state,
            connectMs: r.connectMs,
            candidateType: r.candidateType,
            rttMs: r.rttMs,
            jitterMs: r.jitterMs,
            lossPct: r.lossPct,
            inKbps: r.inKbps,
            outKbps: r.outKbps,
          });
          break;
        }
        case 'ice_restart':
          metrics.iceRestarts.inc({ recovered: String(e.recovered) });
          event('ice_restarted', e.from, { peerId: e.peerId, recovered: e.recovered });
          break;
      }
    }
  };

  const sampler = setInterval(() => {
    handle(health.tick(now()));
    const live = health.live(now());
    samples.add({ at: now(), participants: room.size, successRate: live.success.rate, avgRttMs: live.rtt.avgMs, p95RttMs: live.rtt.p95Ms });
  }, deps.sampleEveryMs ?? 15_000);
  sampler.unref();

  return {
    metrics,
    health,
    observer: {
      rejected(name, code) {
        // Only known event names become labels: anything else would let a client grow the series without bound.
        metrics.rejectedInputs.inc({ reason: code, event: Object.hasOwn(ClientRequests, name) ? name : 'unknown' });
      },
      roomEvent: (e) => health.onRoomEvent(e),
      stats: (from, report, at) => handle(health.onReport(from, report.peers, at)),
    },
    mount(app, token) {
      mountAdmin(app, { token, room, health, store: deps.store, metrics, queueDepth: deps.queueDepth, now }, samples);
    },
    stop() {
      clearInterval(sampler);
    },
  };
}
