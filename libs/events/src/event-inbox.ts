import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { resolveDataSource, type DataSourceRef } from './data-source-ref';
import { isSqlite } from './transaction';

/** One envelope an in-process queue holds, as kept on disk. */
export interface HeldDelivery {
  key: string;
  envelope: unknown;
  /** Attempts already made. */
  attempts: number;
}

/**
 * Where a service keeps what its in-process queues hold until each envelope is handled or
 * dead-lettered, so that a crash or a restart loses none of it (BullMQ keeps the same in
 * Redis). The queue itself runs from memory; this is only read back when a queue starts.
 */
export abstract class EventInbox {
  /** Keeps `envelope` for `queue`; false when the queue already holds that key. */
  abstract add(queue: string, key: string, envelope: unknown): Promise<boolean>;
  /** Records the attempts made so far, so that a delivery brought back after a restart goes on from there. */
  abstract attempted(queue: string, key: string, attempts: number): Promise<void>;
  /** Handled or dead-lettered: no longer held. */
  abstract remove(queue: string, key: string): Promise<void>;
  /**
   * The same inside the consumer's transaction that marks the event processed (its database is
   * the inbox's), so that both commit together; false if this inbox cannot (the caller then uses `remove`).
   */
  abstract removeWithin(manager: EntityManager, queue: string, key: string): Promise<boolean>;
  /** What `queue` holds, oldest first. */
  abstract held(queue: string): Promise<HeldDelivery[]>;
}

/**
 * The key a delivery is held under: its envelope's id, so that a relay sending the same event
 * again while it is still held adds nothing. An envelope without a usable id (never a relayed
 * one) gets a key of its own and is dead-lettered by the consumer as malformed.
 */
export function inboxKey(envelope: unknown): string {
  const id = typeof envelope === 'object' && envelope !== null ? (envelope as { id?: unknown }).id : undefined;
  return typeof id === 'string' && id.length > 0 && id.length <= 36 ? id : randomUUID();
}

/**
 * The inbox in the consuming service's own database (`event_inbox`), in fixed SQL: it is written
 * twice for every event the service consumes in embedded mode. Statements run in the caller's
 * async context, so that on SQLite a send from inside a transaction on this same database
 * joins it instead of waiting for it to end.
 */
export class TypeOrmEventInbox extends EventInbox {
  constructor(private readonly dataSource: DataSourceRef) {
    super();
  }

  async add(queue: string, key: string, envelope: unknown): Promise<boolean> {
    const { ds, sql } = this.target();
    const rows: unknown = await ds.query(sql.add, [queue, key, JSON.stringify(envelope) ?? 'null', new Date().toISOString()]);
    return Array.isArray(rows) && rows.length === 1;
  }

  async attempted(queue: string, key: string, attempts: number): Promise<void> {
    const { ds, sql } = this.target();
    await ds.query(sql.attempted, [attempts, queue, key]);
  }

  async remove(queue: string, key: string): Promise<void> {
    const { ds, sql } = this.target();
    await ds.query(sql.remove, [queue, key]);
  }

  async removeWithin(manager: EntityManager, queue: string, key: string): Promise<boolean> {
    const { ds, sql } = this.target();
    // Only a transaction on this inbox's own database may carry the removal.
    if (manager.connection !== ds) return false;
    await manager.query(sql.remove, [queue, key]);
    return true;
  }

  async held(queue: string): Promise<HeldDelivery[]> {
    const { ds, sql } = this.target();
    const rows = (await ds.query(sql.held, [queue])) as Array<{ event_id: string; envelope: string; attempts: number | string }>;
    return rows.map((row) => ({ key: row.event_id, envelope: parseKept(row.envelope), attempts: Number(row.attempts) }));
  }

  private target() {
    const ds = resolveDataSource(this.dataSource);
    return { ds, sql: isSqlite(ds) ? SQLITE_INBOX_SQL : POSTGRES_INBOX_SQL };
  }
}

/** What was kept is JSON written by `add`; should it not parse, the consumer dead-letters the text. */
function parseKept(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function inboxSql(sqlite: boolean) {
  const p = (n: number) => (sqlite ? '?' : `$${n}`);
  return {
    add:
      `INSERT INTO "event_inbox" ("queue", "event_id", "envelope", "attempts", "received_at") ` +
      `VALUES (${p(1)}, ${p(2)}, ${p(3)}, 0, ${p(4)}) ON CONFLICT DO NOTHING RETURNING "event_id"`,
    attempted: `UPDATE "event_inbox" SET "attempts" = ${p(1)} WHERE "queue" = ${p(2)} AND "event_id" = ${p(3)}`,
    remove: `DELETE FROM "event_inbox" WHERE "queue" = ${p(1)} AND "event_id" = ${p(2)}`,
    held:
      `SELECT "event_id", "envelope", "attempts" FROM "event_inbox" WHERE "queue" = ${p(1)} ` +
      `ORDER BY "received_at" ASC, "event_id" ASC`,
  };
}
const SQLITE_INBOX_SQL = inboxSql(true);
const POSTGRES_INBOX_SQL = inboxSql(false);
