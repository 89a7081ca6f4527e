import type { DataSource, EntityManager } from 'typeorm';
import { resolveDataSource, type DataSourceRef } from './data-source-ref';
import type { OutboxEntity } from './entities/outbox.entity';
import type { EventEnvelope, EventName } from './events';
import { NO_EVENT_COUNTERS, type EventCounters } from './events.metrics';
import { defaultEventsLogger, describeError, type EventsLogger } from './logger';
import type { QueueDriver, QueuedEnvelope } from './queue-driver';
import { SUBSCRIPTIONS, type Subscriptions } from './subscriptions';
import { backgroundContext, inTransaction, isSqlite } from './transaction';

export interface OutboxRelayOptions {
  /** How often the relay looks for unpublished events when nobody nudges it. */
  intervalMs?: number;
  /**
   * Shortest time between the starts of two nudged runs. A nudge after a quiet spell runs at
   * once; nudges that come faster are answered by one run when the time is up, which then
   * carries every event committed meanwhile.
   */
  minRunGapMs?: number;
  batchSize?: number;
  subscriptions?: Subscriptions;
  logger?: EventsLogger;
  /** Counts published events (`tessera_events_published_total`). */
  counters?: EventCounters;
}

export interface RelayResult {
  published: number;
  failed: number;
}

/**
 * Moves committed outbox rows to the queues that subscribe to them, oldest first.
 *
 * A row is marked published only after every subscribed queue accepted it, so a queue outage
 * leaves it unpublished and it is sent again on a later run: nothing is lost, and an event may
 * be sent twice (consumers are idempotent, BullMQ ignores a known jobId). With several
 * replicas on PostgreSQL each run claims its batch with FOR UPDATE SKIP LOCKED, so replicas
 * share the work instead of racing for the same rows; a replica dying mid-batch releases its
 * claim and another one sends the rows again.
 */
export class OutboxRelay {
  private readonly intervalMs: number;
  private readonly batchSize: number;
  private readonly subscriptions: Subscriptions;
  private readonly logger: EventsLogger;
  private readonly counters: EventCounters;
  private readonly inBackground = backgroundContext();
  private readonly minRunGapMs: number;
  private timer?: NodeJS.Timeout;
  /** A nudged run waiting for the gap since the last run to pass. */
  private delayed?: NodeJS.Timeout;
  private lastRunAt = -Infinity;
  /** The run in progress (or settled); a new run starts only after it. */
  private tail: Promise<unknown> = Promise.resolve();
  /** A run queued behind the current one; further nudges join it instead of queueing more. */
  private next?: Promise<RelayResult>;

  constructor(
    private readonly dataSource: DataSourceRef,
    private readonly driver: QueueDriver,
    options: OutboxRelayOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 250;
    this.minRunGapMs = options.minRunGapMs ?? DEFAULT_MIN_RUN_GAP_MS;
    this.batchSize = options.batchSize ?? 100;
    this.subscriptions = options.subscriptions ?? SUBSCRIPTIONS;
    this.logger = options.logger ?? defaultEventsLogger();
    this.counters = options.counters ?? NO_EVENT_COUNTERS;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.nudge(), this.intervalMs);
    this.timer.unref();
  }

  /** Stops the interval and waits for the run in progress. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    clearTimeout(this.delayed);
    this.delayed = undefined;
    await this.tail;
  }

  /**
   * Publishes soon, without waiting: called after a commit that wrote outbox rows. At once after
   * a quiet spell; under a stream of commits at most one run per `minRunGapMs`, so that each run
   * (a read of the outbox, and on the consuming side a transaction and its commit per batch of
   * events) carries several events instead of one.
   */
  nudge(): void {
    if (this.delayed) return;
    const wait = this.lastRunAt + this.minRunGapMs - performance.now();
    if (wait <= 0) return this.runLogged();
    this.delayed = setTimeout(() => {
      this.delayed = undefined;
      this.runLogged();
    }, wait);
    // The outbox keeps the events: a process on its way out need not wait for this run.
    this.delayed.unref();
  }

  private runLogged(): void {
    this.flush().catch((err) => this.logger.error({ err: describeError(err) }, 'outbox relay run failed'));
  }

  /** Publishes everything committed before the call; resolves when done (tests, shutdown). */
  flush(): Promise<RelayResult> {
    if (this.next) return this.next;
    const run = this.inBackground(() =>
      this.tail.then(() => {
        this.next = undefined;
        this.lastRunAt = performance.now();
        return this.drain();
      }),
    );
    this.next = run;
    this.tail = run.catch(() => undefined);
    return run;
  }

  private async drain(): Promise<RelayResult> {
    const total: RelayResult = { published: 0, failed: 0 };
    const dataSource = resolveDataSource(this.dataSource);
    for (;;) {
      const sent: string[] = [];
      const batch = isSqlite(dataSource)
        ? await this.publishBatchSqlite(dataSource, sent)
        : await inTransaction(dataSource, (manager) => this.publishBatchClaimed(manager, sent));
      // Counted once the rows are marked published for good: after the commit.
      for (const name of sent) this.counters.published(name);
      total.published += batch.published;
      total.failed += batch.failed;
      // A short batch means the backlog is empty; a batch without progress means the queues are down.
      if (batch.published + batch.failed < this.batchSize || batch.published === 0) return total;
    }
  }

  /**
   * PostgreSQL: the batch is claimed (FOR UPDATE SKIP LOCKED) for the length of the transaction
   * that sends it and marks it, so that replicas share the outbox.
   */
  private async publishBatchClaimed(manager: EntityManager, sent: string[]): Promise<RelayResult> {
    const rows = (await manager.query(POSTGRES_RELAY_SQL.pending, [this.batchSize])) as PendingRow[];
    return this.mark(manager, POSTGRES_RELAY_SQL, await this.sendEach(rows), sent);
  }

  /**
   * SQLite: one process, and its relay runs take turns, so nothing needs claiming. The rows are
   * sent outside any transaction: an in-process send waits for the commit of the consuming
   * service's inbox, and two services' relays each holding their own database's transaction
   * while waiting for the other's would wait for ever (and hold up every write meanwhile).
   */
  private publishBatchSqlite(dataSource: DataSource, sent: string[]): Promise<RelayResult> {
    // Relays of the same file in this process (tests build several) take turns, as a claim would make them.
    const turn = (sqliteRelayTurns.get(dataSource) ?? Promise.resolve()).then(() => this.sendAndMarkSqlite(dataSource, sent));
    sqliteRelayTurns.set(dataSource, turn.catch(() => undefined));
    return turn;
  }

  private async sendAndMarkSqlite(dataSource: DataSource, sent: string[]): Promise<RelayResult> {
    const rows = (await dataSource.query(SQLITE_RELAY_SQL.pending, [this.batchSize])) as PendingRow[];
    if (rows.length === 0) return { published: 0, failed: 0 };
    const outcomes = await this.sendEach(rows);
    return inTransaction(dataSource, (manager) => this.mark(manager, SQLITE_RELAY_SQL, outcomes, sent));
  }

  /**
   * Sends each row to every queue that subscribes to its event, all in one go (the in-process
   * queue keeps them with one commit); a row failed if any of its sends did.
   */
  private async sendEach(rows: PendingRow[]): Promise<Array<{ row: PendingRow; error?: unknown }>> {
    const outcomes: Array<{ row: PendingRow; error?: unknown }> = [];
    const items: QueuedEnvelope[] = [];
    const itemRows: number[] = [];
    rows.forEach((row, index) => {
      try {
        const envelope = toEnvelope(row);
        for (const queue of this.subscriptions[envelope.name] ?? []) {
          items.push({ queue, envelope });
          itemRows.push(index);
        }
        outcomes.push({ row });
      } catch (error) {
        outcomes.push({ row, error });
      }
    });
    let errors: unknown[] = [];
    if (items.length > 0) {
      // A driver that refuses the whole batch (closed) fails each row, counted as any failure.
      errors = await this.driver.sendAll(items).catch((err: unknown) => items.map(() => err ?? new Error('send failed')));
    }
    errors.forEach((error, i) => {
      const outcome = outcomes[itemRows[i]];
      if (error !== undefined && outcome.error === undefined) outcome.error = error;
    });
    return outcomes;
  }

  /** Marks the sent rows published and counts a failed attempt on the others; pushes each published event's name onto `sent`. */
  private async mark(
    manager: EntityManager,
    sql: RelaySql,
    outcomes: Array<{ row: PendingRow; error?: unknown }>,
    sent: string[],
  ): Promise<RelayResult> {
    const result: RelayResult = { published: 0, failed: 0 };
    const published = outcomes.filter((o) => o.error === undefined).map((o) => o.row);
    if (published.length > 0) {
      // One statement for the batch: on PostgreSQL a round trip per row, inside the claim, held
      // the batch's row locks for as many round trips.
      await manager.query(sql.published, [new Date().toISOString(), sql.ids(published.map((row) => row.id))]);
      result.published = published.length;
      for (const row of published) sent.push(row.name);
    }
    for (const { row, error } of outcomes) {
      if (error === undefined) continue;
      result.failed++;
      await manager.query(sql.failed, [row.attempts + 1, describeError(error).slice(0, 2000), row.id]);
      this.logger.warn(
        { eventId: row.id, event: row.name, attempts: row.attempts + 1, err: describeError(error) },
        'event not relayed; will retry',
      );
    }
    return result;
  }
}

/** The latest batch of each SQLite DataSource's relays, so that the next one starts after it. */
const sqliteRelayTurns = new WeakMap<DataSource, Promise<unknown>>();

/**
 * Under load a run every 10 ms carries the events of several commits (a full code flow's consent
 * event every 2–3 ms at 400 flows per second); the audit log and cache invalidations are at most
 * that much later. A lone event waits only if a run (a nudged one, or the 250 ms poll) started
 * less than 10 ms before its commit.
 */
const DEFAULT_MIN_RUN_GAP_MS = 10;

/** What the relay reads of an unpublished row. */
type PendingRow = Pick<OutboxEntity, 'id' | 'name' | 'version' | 'payload' | 'occurredAt' | 'attempts'>;

/**
 * The relay's statements, fixed SQL rather than TypeORM's query builder: they run after every
 * commit that wrote an event, and building them cost more than running them.
 * Ids are UUIDv7, so the primary key order is the order the events were created in. SQLite has
 * one writer and transactions take turns; PostgreSQL replicas claim rows with SKIP LOCKED.
 */
function relaySql(sqlite: boolean) {
  const p = (n: number) => (sqlite ? '?' : `$${n}`);
  return {
    pending:
      `SELECT "id", "name", "version", "payload", "occurred_at" AS "occurredAt", "attempts" FROM "outbox" ` +
      `WHERE "published_at" IS NULL ORDER BY "id" ASC LIMIT ${p(1)}${sqlite ? '' : ' FOR UPDATE SKIP LOCKED'}`,
    // The ids as one parameter: one statement (one round trip) per batch whatever its size, and on
    // SQLite one entry in the statement cache.
    published: sqlite
      ? `UPDATE "outbox" SET "published_at" = ?, "last_error" = NULL WHERE "id" IN (SELECT "value" FROM json_each(?))`
      : `UPDATE "outbox" SET "published_at" = $1, "last_error" = NULL WHERE "id" = ANY($2::varchar[])`,
    ids: (ids: string[]): unknown => (sqlite ? JSON.stringify(ids) : ids),
    failed: `UPDATE "outbox" SET "attempts" = ${p(1)}, "last_error" = ${p(2)} WHERE "id" = ${p(3)}`,
  };
}
type RelaySql = ReturnType<typeof relaySql>;
const SQLITE_RELAY_SQL = relaySql(true);
const POSTGRES_RELAY_SQL = relaySql(false);

function toEnvelope(row: PendingRow): EventEnvelope {
  return {
    id: row.id,
    name: row.name as EventName,
    version: row.version,
    occurredAt: row.occurredAt,
    payload: JSON.parse(row.payload),
  };
}
