/** The Store port over any SqlClient; the pg and PGlite adapters only supply the client. */
import { migrate, migrationsApplied } from './migrate';
import { applyOps, closeOpen, listEvents, listParticipants, listSessions, type SqlClient } from './sql';
import type { LeaveReason, Store, WriteOp } from './types';

export class SqlStore implements Store {
  readonly kind: Store['kind'];
  readonly #db: SqlClient;
  readonly #migrationsDir: string;
  readonly #close: () => Promise<void>;

  constructor(kind: Store['kind'], db: SqlClient, migrationsDir: string, close: () => Promise<void>) {
    this.kind = kind;
    this.#db = db;
    this.#migrationsDir = migrationsDir;
    this.#close = close;
  }

  migrate() {
    return migrate(this.#db, this.#migrationsDir);
  }
  migrationsApplied() {
    return migrationsApplied(this.#db, this.#migrationsDir);
  }
  async ping() {
    await this.#db.query('SELECT 1');
  }
  apply(ops: readonly WriteOp[]) {
    return this.#db.transaction((tx) => applyOps(tx, ops));
  }
  closeOpen(reason: LeaveReason, at: Date) {
    return closeOpen(this.#db, reason, at);
  }
  listSessions(limit: number) {
    return listSessions(this.#db, limit);
  }
  listParticipants(sessionId: string) {
    return listParticipants(this.#db, sessionId);
  }
  listEvents(sessionId: string) {
    return listEvents(this.#db, sessionId);
  }
  close() {
    return this.#close();
  }
}
