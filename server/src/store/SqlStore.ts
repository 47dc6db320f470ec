/**
 * The Store port over any SqlClient; the pg and PGlite adapters (pg.ts, pglite.ts) only supply
 * the client and a close function. Beyond the port it offers reads the admin may want later.
 */
import { migrate, migrationsApplied } from './migrate';
import {
  applyOps,
  chatCarryOver,
  closeOpen,
  listConnectionReports,
  listEvents,
  listParticipants,
  listSessionSummaries,
  listSessions,
  removedParticipants,
  roomMemory,
  serverSecret,
  type SqlClient,
} from './sql';
import type { StintEndReason, Store, WriteOp } from './types';

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
  closeOpen(reason: StintEndReason, at: Date) {
    return closeOpen(this.#db, reason, at);
  }
  listSessions(limit: number) {
    return listSessions(this.#db, limit);
  }
  listSessionSummaries(limit: number) {
    return listSessionSummaries(this.#db, limit);
  }
  listParticipants(sessionId: string) {
    return listParticipants(this.#db, sessionId);
  }
  listEvents(sessionId: string) {
    return listEvents(this.#db, sessionId);
  }
  chatCarryOver(limit: number) {
    return chatCarryOver(this.#db, limit);
  }
  roomMemory() {
    return roomMemory(this.#db);
  }
  removedParticipants(limit: number) {
    return removedParticipants(this.#db, limit);
  }
  serverSecret(name: string, make: () => string) {
    return serverSecret(this.#db, name, make);
  }
  listConnectionReports(sessionId: string) {
    return listConnectionReports(this.#db, sessionId);
  }
  /** The SqlClient underneath, for the store tests' raw checks (schema_migrations, pg_tables, counts). */
  get sql(): SqlClient {
    return this.#db;
  }
  close() {
    return this.#close();
  }
}
