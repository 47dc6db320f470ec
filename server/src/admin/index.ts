/**
 * Connection health for admins and participants: feeds the HealthMonitor from the signaling
 * adapter, persists outcomes and reports through the write queue, warns the two ends of a lossy
 * pair, counts in the Prometheus metrics and keeps a rolling sample of live figures. It owns no
 * timer: `periodic` lists what the signaling timers run (the health tick, the sampler).
 */
import type { Express, Request } from 'express';
import { ClientRequests } from '@meshtalk/protocol';
import type { Room } from '../room/Room';
import type { Notify, Periodic, SignalingObserver } from '../signaling/attach';
import { eventOp, type SessionEventType, type Store, type WriteOp } from '../store/types';
import { HealthMonitor, type HealthEffect, type QualityThresholds } from './HealthMonitor';
import type { Metrics } from './metrics';
import { Samples, mountAdmin, mountMetrics, type AdminDeps } from './routes';
import { FailureThrottle, bearerGuard } from './auth';

/** How often undecided pair attempts are checked against the connect window. */
export const HEALTH_TICK_MS = 1_000;
/** How often a point is added to the live charts. */
export const SAMPLE_EVERY_MS = 15_000;

export interface AdminSideDeps {
  room: Room;
  store: Store;
  enqueue: (op: WriteOp) => void;
  newId: () => string;
  now: () => number;
  queueDepth: () => number;
  thresholds: QualityThresholds;
  metrics: Metrics;
  /** Sends link-quality warnings to participants. */
  notify: Notify;
  healthTickMs?: number | undefined;
  sampleEveryMs?: number | undefined;
}

export interface AdminSide {
  observer: SignalingObserver;
  health: HealthMonitor;
  /** The admin side's timed work, for the signaling timers to run. */
  periodic: Periodic[];
  /** Mounts /api/admin behind the admin token and /metrics behind the metrics token; null turns either off (404). */
  mount(app: Express, access: AdminAccess): void;
}

export interface AdminAccess {
  adminToken: string | null;
  metricsToken: string | null;
  /** The client address of a request, for the wrong-token throttle. */
  addressOf: (req: Request) => string;
  /** A host action as the admin (the signaling adapter's). */
  hostAction: AdminDeps['hostAction'];
}

/** Wrong tokens (admin and metrics together) one client address may send per window before 429. */
export const WRONG_TOKEN_THROTTLE = { maxFailures: 10, windowMs: 5 * 60_000 };

export function createAdminSide(deps: AdminSideDeps): AdminSide {
  const { room, now, metrics } = deps;
  const health = new HealthMonitor(deps.thresholds);
  const samples = new Samples();
  metrics.watch({ participants: () => room.size, pairsByState: () => health.live(now()).pairsByState, queueDepth: deps.queueDepth });

  const event = (type: SessionEventType, participantId: string | null, detail: Record<string, unknown>) => {
    const sessionId = room.sessionId;
    if (sessionId) deps.enqueue(eventOp(deps.newId, sessionId, type, participantId, new Date(now()), detail));
  };

  const handle = (effects: HealthEffect[]) => {
    for (const e of effects) {
      switch (e.type) {
        case 'quality': {
          const { peerId, quality, lossPct } = e.payload;
          deps.notify(e.to, 'link:quality', e.payload);
          // One row per pair and change, written from the end with the smaller id.
          if (quality !== 'good' && e.to < peerId) event(quality === 'bad' ? 'link_bad' : 'link_poor', e.to, { peerId, quality, lossPct });
          break;
        }
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
            rttMs: health.pair(x.a, x.b).rttMs,
          });
          break;
        }
        case 'report': {
          const { from: _from, at, peerId, ...r } = e.report;
          if (r.rttMs !== null) metrics.rtt.observe(r.rttMs / 1000);
          const sessionId = room.sessionId;
          if (!sessionId) break;
          deps.enqueue({
            kind: 'connection_report',
            id: deps.newId(),
            sessionId,
            fromId: e.from,
            toId: peerId,
            at: new Date(at),
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

  const sample = () => {
    const live = health.live(now());
    samples.add({ at: now(), participants: room.size, successRate: live.success.rate, medianRttMs: live.rtt.medianMs, p95RttMs: live.rtt.p95Ms });
  };

  return {
    health,
    periodic: [
      { everyMs: deps.healthTickMs ?? HEALTH_TICK_MS, run: () => handle(health.tick(now())) },
      { everyMs: deps.sampleEveryMs ?? SAMPLE_EVERY_MS, run: sample },
    ],
    observer: {
      rejected(name, code) {
        // Only known event names become labels: anything else would let a client grow the series without bound.
        metrics.rejectedInputs.inc({ reason: code, event: Object.hasOwn(ClientRequests, name) ? name : 'unknown' });
      },
      roomEvent: (e) => {
        if (e.type === 'rejected_full') metrics.refusedJoins.inc();
        health.onRoomEvent(e);
      },
      stats: (from, report, at) => handle(health.onReport(from, report.peers, at)),
    },
    mount(app, access) {
      const throttle = new FailureThrottle(WRONG_TOKEN_THROTTLE, now);
      const off = (paths: string[], message: string) =>
        app.use(paths, (_req, res) => {
          res.status(404).json({ error: { code: 'not_found', message } });
        });
      if (access.metricsToken) mountMetrics(app, bearerGuard({ token: access.metricsToken, throttle, addressOf: access.addressOf, realm: 'metrics' }), metrics);
      else off(['/metrics'], 'metrics are off (no METRICS_TOKEN)');
      if (access.adminToken) {
        const guard = bearerGuard({ token: access.adminToken, throttle, addressOf: access.addressOf, realm: 'admin' });
        mountAdmin(app, { guard, room, health, store: deps.store, queueDepth: deps.queueDepth, now, hostAction: access.hostAction }, samples);
      } else {
        // The admin surface is off: not even the page is served.
        off(['/admin', '/api/admin'], 'the admin surface is off (no ADMIN_TOKEN)');
      }
    },
  };
}
