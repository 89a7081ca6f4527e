import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { resolveDataSource, type DataSourceRef } from './data-source-ref';
import { isSqlite } from './transaction';

/** An envelope to keep, under its key (see `inboxKey`). */
export interface InboxEntry {
  key: string;
  envelope: unknown;
}

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
  /**
   * Keeps the envelopes for `queue`, all or none (one statement, one commit); resolves with the
   * keys it added, leaving out those the queue already held.
   */
  abstract addAll(queue: string, entries: ReadonlyArray<InboxEntry>): Promise<Set<string>>;
  /** Records the attempts made so far, so that a delivery brought back after a restart goes on from there. */
  abstract attempted(queue: string, key: string, attempts: number): Promise<void>;
  /** Handled or dead-lettered: no longer held. */
  abstract remove(queue: string, key: string): Promise<void>;
  /**
   * The same inside the consumer's transaction that marks the event processed, or that writes its
   * dead letter (their database is the inbox's), so that both commit together; false if this
   * inbox cannot (the caller then uses `remove`).
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
 * for every event the service consumes in embedded mode (a relay batch's envelopes in one
 * INSERT, and each removed with its processed marker). Statements run in the caller's
 * async context, so that on SQLite a send from inside a transaction on this same database
 * joins it instead of waiting for it to end.
 */
export class TypeOrmEventInbox extends EventInbox {
  constructor(private readonly dataSource: DataSourceRef) {
    super();
  }

  async addAll(queue: string, entries: ReadonlyArray<InboxEntry>): Promise<Set<string>> {
    const { ds, sqlite } = this.target();
    const added = new Set<string>();
    const receivedAt = new Date().toISOString();
    for (let from = 0; from < entries.length; from += MAX_ROWS_PER_INSERT) {
      const chunk = entries.slice(from, from + MAX_ROWS_PER_INSERT);
      const params: unknown[] = [];
      const tuples = chunk.map(({ key, envelope }) => {
        params.push(queue, key, JSON.stringify(envelope) ?? 'null', receivedAt);
        const n = params.length;
        const p = (i: number) => (sqlite ? '?' : `$${n - 4 + i}`);
        return `(${p(1)}, ${p(2)}, ${p(3)}, 0, ${p(4)})`;
      });
      const rows: unknown = await ds.query(
        `INSERT INTO "event_inbox" ("queue", "event_id", "envelope", "attempts", "received_at") VALUES ${tuples.join(', ')} ` +
          `ON CONFLICT DO NOTHING RETURNING "event_id"`,
        params,
      );
      if (Array.isArray(rows)) for (const row of rows as Array<{ event_id: string }>) added.add(row.event_id);
    }
    return added;
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
    const sqlite = isSqlite(ds);
    return { ds, sqlite, sql: sqlite ? SQLITE_INBOX_SQL : POSTGRES_INBOX_SQL };
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
    attempted: `UPDATE "event_inbox" SET "attempts" = ${p(1)} WHERE "queue" = ${p(2)} AND "event_id" = ${p(3)}`,
    remove: `DELETE FROM "event_inbox" WHERE "queue" = ${p(1)} AND "event_id" = ${p(2)}`,
    held:
      `SELECT "event_id", "envelope", "attempts" FROM "event_inbox" WHERE "queue" = ${p(1)} ` +
      `ORDER BY "received_at" ASC, "event_id" ASC`,
  };
}
const SQLITE_INBOX_SQL = inboxSql(true);
/** Rows per INSERT: 4 parameters each, well under SQLite's 32,766 and PostgreSQL's 65,535. */
const MAX_ROWS_PER_INSERT = 500;
const POSTGRES_INBOX_SQL = inboxSql(false);
