/**
 * The admin API (live room and pair health, session history) behind the admin token, and
 * /metrics behind the metrics token. The /admin page itself is part of the client and reads
 * the API.
 */
import express, { type Express, type Request, type RequestHandler, type Response } from 'express';
import type { Ack, Empty, HostEventName } from '@meshtalk/protocol';
import { ADMIN_HOST_ACTIONS, type HostAction, type LiveResponse, type Sample, type SessionDetail, type SessionSummary, type SessionsResponse } from '@meshtalk/protocol/admin';
import type { Room } from '../room/Room';
import type { SessionSummaryRow, Store } from '../store/types';
import type { HealthMonitor } from './HealthMonitor';
import type { Metrics } from './metrics';

export interface AdminDeps {
  /** Lets a request through only with the admin token. */
  guard: RequestHandler;
  room: Room;
  health: HealthMonitor;
  store: Store;
  queueDepth: () => number;
  now: () => number;
  /** A host action as the admin (signaling/host.ts). */
  hostAction: (event: HostEventName, payload: unknown) => Ack<Empty>;
}

/** How an admin host action's error code answers over HTTP. */
const HOST_ERROR_STATUS: Record<string, number> = { invalid_payload: 400, not_in_room: 404, room_full: 409, rate_limited: 429, forbidden: 403 };

/** The last hour of live figures, one sample per `everyMs`, for the admin charts. */
export class Samples {
  readonly #items: Sample[] = [];
  readonly #max: number;
  constructor(max = 240) {
    this.#max = max;
  }
  add(s: Sample): void {
    this.#items.push(s);
    if (this.#items.length > this.#max) this.#items.shift();
  }
  list(): readonly Sample[] {
    return this.#items;
  }
}

/** A stored session with its counted outcomes, as the admin API shows it. */
export function sessionSummary(s: SessionSummaryRow, now: number): SessionSummary {
  const decided = s.succeeded + s.failed;
  return {
    id: s.id,
    status: s.status,
    startedAt: s.createdAt.getTime(),
    endedAt: s.endedAt?.getTime() ?? null,
    endReason: s.endReason,
    durationMs: (s.endedAt?.getTime() ?? now) - s.createdAt.getTime(),
    peakParticipants: s.peakParticipants,
    pairsAttempted: decided,
    successRate: decided ? s.succeeded / decided : null,
    avgRttMs: s.avgRttMs,
    chatMessages: s.chatMessages,
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Prometheus text at /metrics, for whoever holds the metrics token. */
export function mountMetrics(app: Express, guard: RequestHandler, metrics: Metrics): void {
  app.get('/metrics', guard, async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
}

export function mountAdmin(app: Express, deps: AdminDeps, samples: Samples): void {
  const { guard } = deps;
  const fail = (res: Response, err: unknown) => {
    res.status(503).json({ error: { code: 'unavailable', message: 'the database is not reachable right now' } });
    return err;
  };

  app.use('/api/admin', guard);

  app.get('/api/admin/live', (_req, res) => {
    const screen = deps.room.screen();
    const body: LiveResponse = {
      now: deps.now(),
      sessionId: deps.room.sessionId,
      participants: deps.room.participants().map((p) => ({ ...p, presenting: screen?.holderId === p.id })),
      health: deps.health.live(deps.now()),
      host: { ...deps.room.host.view(), knocks: deps.room.host.knocks() },
      queueDepth: deps.queueDepth(),
      samples: [...samples.list()],
    };
    res.json(body);
  });

  // The admin does what a host does (SPEC.md A2), without being a participant.
  app.post('/api/admin/host/:action', express.json({ limit: '2kb' }), (req: Request, res: Response) => {
    const action = String(req.params.action) as HostAction;
    if (!ADMIN_HOST_ACTIONS.includes(action)) {
      res.status(404).json({ error: { code: 'not_found', message: `no such host action; one of ${ADMIN_HOST_ACTIONS.join(', ')}` } });
      return;
    }
    const r = deps.hostAction(`host:${action}`, req.body);
    if (r.ok) res.json({ ok: true });
    else res.status(HOST_ERROR_STATUS[r.error.code] ?? 500).json({ error: { code: r.error.code, message: r.error.message } });
  });

  app.get('/api/admin/sessions', async (req: Request, res: Response) => {
    const limit = Math.min(100, Math.max(1, Number(req.query.limit) || 30));
    try {
      const rows = await deps.store.listSessionSummaries(limit);
      const body: SessionsResponse = { sessions: rows.map((s) => sessionSummary(s, deps.now())) };
      res.json(body);
    } catch (err) {
      fail(res, err);
    }
  });

  app.get('/api/admin/sessions/:id', async (req: Request, res: Response) => {
    const id = String(req.params.id);
    if (!UUID.test(id)) {
      res.status(400).json({ error: { code: 'invalid_payload', message: 'session id must be a UUID' } });
      return;
    }
    try {
      const [participants, events] = await Promise.all([deps.store.listParticipants(id), deps.store.listEvents(id)]);
      const names = new Map(participants.map((p) => [p.participantId, p.name]));
      const body: SessionDetail = {
        participants: participants.map((p) => ({ ...p, joinedAt: p.joinedAt.getTime(), leftAt: p.leftAt?.getTime() ?? null })),
        events: events.map((e) => ({ ...e, at: e.at.getTime(), name: e.participantId ? (names.get(e.participantId) ?? null) : null })),
      };
      res.json(body);
    } catch (err) {
      fail(res, err);
    }
  });
}
