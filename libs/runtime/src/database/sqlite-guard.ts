import { QueryFailedError, QueryResult, type DataSource, type EntityManager, type QueryRunner } from 'typeorm';
import { ScopedContext } from '../async/scoped-context';

/** The parts of a better-sqlite3 connection the guard uses. */
interface SqliteConnection {
  prepare(sql: string): SqliteStatement;
  readonly inTransaction: boolean;
}
interface SqliteStatement {
  readonly reader: boolean;
  all(...params: unknown[]): unknown[];
  run(...params: unknown[]): { changes: number; lastInsertRowid: number | bigint };
}

/** Writes waiting for one commit. */
class Batch {
  readonly durable: Promise<void>;
  members = 0;
  resolve!: () => void;
  reject!: (err: unknown) => void;
  constructor() {
    this.durable = new Promise<void>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    // A batch nobody waits for (its writers failed first) must not become an unhandled rejection.
    this.durable.catch(() => undefined);
  }
}

interface GuardState {
  /** The transaction whose statements are running, if any, and the promise that settles when they end. */
  active?: { token: symbol; done: Promise<void> };
  /** Transactions wait here for their turn. */
  tail: Promise<void>;
  /** The open group transaction (BEGIN issued, COMMIT pending), if any. */
  batch?: Batch;
  /** The flush came while a transaction was running: commit as soon as it ends. */
  flushWanted: boolean;
}

/** The running transaction's token, in its async context (and only while a transaction runs: see ScopedContext). */
const context = new ScopedContext<symbol>();
/** Each guarded DataSource, with the function that commits its open group early. */
const guarded = new WeakMap<DataSource, () => void>();

/** A batch commits at the end of the event-loop turn, or sooner when this many writers joined it. */
const MAX_BATCH = 64;
/** Prepared statements kept per connection (least recently used go first). */
const STATEMENT_CACHE = 500;

/** Statements that manage transactions or the schema: they never join a group commit. */
const CONTROL = /^\s*(BEGIN|COMMIT|END|ROLLBACK|SAVEPOINT|RELEASE|PRAGMA|CREATE|DROP|ALTER|VACUUM|ANALYZE|REINDEX|ATTACH|DETACH)\b/i;
const READ = /^\s*SELECT\b/i;

/**
 * The SQLite side of every service's DataSource: isolation between concurrent requests, and
 * group commit.
 *
 * **Isolation.** TypeORM's better-sqlite3 driver runs every query of a DataSource on ONE
 * connection. While a transaction awaits, another request's query would run on that connection
 * inside it: a concurrent write would then vanish if the transaction rolled back, and a second
 * transaction would silently become a savepoint of the first. Transactions therefore take turns,
 * and a query from outside the running transaction waits until its statements end. Queries inside
 * it (same async context) run at once.
 *
 * **Group commit.** A commit costs SQLite far more than a statement (WAL frames written, locks
 * taken and released: 60–120 µs here against 10–30 µs for a typical insert), and one login flow
 * makes about ten of them. So writes share commits, as PostgreSQL's commit_delay does: the first
 * write of an event-loop turn opens a transaction (BEGIN IMMEDIATE); each TypeORM transaction that joins it
 * runs as a savepoint (its own ROLLBACK undoes only its work), each write outside a transaction
 * as one statement in it; at the end of the turn (`setImmediate`) one COMMIT makes them all
 * durable. Nobody hears of a write before that commit: every caller's promise — a transaction's,
 * a statement's, and a read's that ran while the group was open (it may have seen the group's
 * rows) — settles only after it. If the commit fails, or SQLite abandons the group transaction
 * (disk full, I/O error), every member fails.
 *
 * Statements run synchronously on the better-sqlite3 connection (as TypeORM's driver does, minus
 * its per-query event broadcasting, which Tessera does not use), so nothing can slip in between
 * the check for a running transaction and the statement.
 */
export function guardSqliteConcurrency(dataSource: DataSource): DataSource {
  if (dataSource.options.type !== 'better-sqlite3' || guarded.has(dataSource)) return dataSource;
  const state: GuardState = { tail: Promise.resolve(), flushWanted: false };
  guarded.set(dataSource, () => {
    if (state.active) state.flushWanted = true;
    else commit();
  });
  const runner = dataSource.driver.createQueryRunner('master') as QueryRunner;
  const db = () => (dataSource.driver as unknown as { databaseConnection: SqliteConnection }).databaseConnection;
  const statements = new Map<string, SqliteStatement>();

  const prepare = (sql: string): SqliteStatement => {
    let statement = statements.get(sql);
    if (statement) statements.delete(sql);
    else {
      statement = db().prepare(sql);
      if (statements.size >= STATEMENT_CACHE) statements.delete(statements.keys().next().value as string);
    }
    statements.set(sql, statement);
    return statement;
  };
  const exec = (sql: string) => void prepare(sql).run();

  const fail = (batch: Batch, err: unknown) => {
    if (state.batch === batch) state.batch = undefined;
    batch.reject(err);
  };
  const commit = () => {
    const batch = state.batch;
    state.flushWanted = false;
    if (!batch) return;
    state.batch = undefined;
    try {
      exec('COMMIT');
      batch.resolve();
    } catch (err) {
      if (db().inTransaction) {
        try {
          exec('ROLLBACK');
        } catch {
          // The connection is gone; every member fails with the commit's error below.
        }
      }
      batch.reject(err);
    }
  };
  /** The group transaction writes go into; undefined while somebody else's raw transaction (a migration) is open. */
  const openBatch = (): Batch | undefined => {
    if (state.batch) return state.batch;
    if (db().inTransaction) return undefined;
    // IMMEDIATE: the write lock now, so no other process (the CLI, a backup tool) can commit
    // between the group's first read and its first write, which would fail every later write
    // of the group with SQLITE_BUSY_SNAPSHOT instead of waiting (busy_timeout).
    exec('BEGIN IMMEDIATE');
    const batch = new Batch();
    state.batch = batch;
    setImmediate(() => {
      if (state.batch !== batch) return;
      if (state.active) state.flushWanted = true;
      else commit();
    });
    return batch;
  };
  /** After a failed statement: SQLite may have rolled the whole group back (disk full, I/O error). */
  const checkBatchAfterError = (err: unknown) => {
    if (state.batch && !db().inTransaction) fail(state.batch, err);
  };

  const execute = (sql: string, params: unknown[] = [], structured = false): unknown => {
    // better-sqlite3 cannot bind booleans (as TypeORM's driver converts them).
    const values = params.map((p) => (typeof p === 'boolean' ? (p ? 1 : 0) : p));
    try {
      const statement = prepare(sql);
      const result = new QueryResult();
      if (statement.reader) {
        const rows = statement.all(...values);
        result.raw = rows;
        result.records = rows;
      } else {
        const info = statement.run(...values);
        result.affected = info.changes;
        result.raw = info.lastInsertRowid;
      }
      return structured ? result : result.raw;
    } catch (err) {
      checkBatchAfterError(err);
      throw new QueryFailedError(sql, values, err as Error);
    }
  };

  const insideTransaction = () => state.active !== undefined && context.getStore() === state.active.token;

  (runner as { query: unknown }).query = async (sql: string, params?: unknown[], structured?: boolean) => {
    if (insideTransaction()) return execute(sql, params, structured);
    while (state.active) await state.active.done;
    // From here to the statement nothing awaits: no transaction can start in between.
    if (CONTROL.test(sql)) {
      // A migration's or a schema change's own transaction: the group commits first.
      commit();
      return execute(sql, params, structured);
    }
    const write = !READ.test(sql);
    const batch = write ? openBatch() : state.batch;
    const result = execute(sql, params, structured);
    if (!batch) return result;
    if (write && state.batch === batch && ++batch.members >= MAX_BATCH) commit();
    await batch.durable;
    return result;
  };

  // A transaction of the group: a savepoint, run by hand rather than by TypeORM's
  // EntityManager.transaction, which would make a new EntityManager each time. The runner's flags
  // say "in a transaction" meanwhile, so that TypeORM nests any transaction opened inside as a
  // savepoint of its own (typeorm_1, …). Entity subscribers still hear of the end (the outbox's
  // nudge listens for it); reads of what it wrote wait for the group's commit, as every read does.
  const txManager = dataSource.createEntityManager(runner);
  const flags = runner as unknown as { isTransactionActive: boolean; transactionDepth: number };
  const runAsSavepoint = async (work: (manager: EntityManager) => Promise<unknown>) => {
    execute('SAVEPOINT tessera_tx');
    flags.isTransactionActive = true;
    flags.transactionDepth = 1;
    let outcome: { result: unknown } | { error: unknown };
    try {
      outcome = { result: await work(txManager) };
      execute('RELEASE SAVEPOINT tessera_tx');
    } catch (error) {
      outcome = { error };
      try {
        execute('ROLLBACK TO SAVEPOINT tessera_tx');
        execute('RELEASE SAVEPOINT tessera_tx');
      } catch {
        // SQLite abandoned the whole group (checkBatchAfterError failed it): its members hear of it.
      }
    }
    flags.isTransactionActive = false;
    flags.transactionDepth = 0;
    await runner.broadcaster.broadcast('error' in outcome ? 'AfterTransactionRollback' : 'AfterTransactionCommit');
    if ('error' in outcome) throw outcome.error;
    return outcome.result;
  };

  const manager = dataSource.manager;
  const transaction = manager.transaction.bind(manager) as (...args: unknown[]) => Promise<unknown>;
  (manager as { transaction: unknown }).transaction = (...args: unknown[]) => {
    // Already inside the running transaction: TypeORM nests it as a savepoint, as it should.
    if (insideTransaction()) return transaction(...args);
    // transaction(work) or transaction(isolationLevel, work): SQLite transactions are always
    // serializable, so the level changes nothing here.
    // (DataSource.transaction passes both, the level undefined.)
    const work = args.find((a) => typeof a === 'function') as (manager: EntityManager) => Promise<unknown>;
    const previous = state.tail;
    let statementsDone!: () => void;
    const done = new Promise<void>((resolve) => (statementsDone = resolve));
    state.tail = done;
    return previous.then(async () => {
      const token = Symbol('sqlite-transaction');
      state.active = { token, done };
      let batch: Batch | undefined;
      let result: unknown;
      try {
        batch = openBatch();
        // Without a group (somebody's raw transaction is open, a migration's), TypeORM's own way.
        result = await context.run(token, () => (batch ? runAsSavepoint(work) : transaction(...args)));
      } finally {
        // The next transaction may start now; this one's callers hear of it once the group commits.
        state.active = undefined;
        if (batch && state.batch === batch && (state.flushWanted || ++batch.members >= MAX_BATCH)) commit();
        statementsDone();
      }
      if (batch) await batch.durable;
      return result;
    });
  };

  // save(), remove(), softRemove() and recover() called outside a transaction open one of their
  // own, raw, on the one connection (TypeORM's persist executor): another request's write made
  // while it awaits would land in it, and vanish if it rolled back. They run as a transaction of
  // the guard instead, in their turn. (Inside one, the runner's flags tell TypeORM not to open any.)
  for (const method of ['save', 'remove', 'softRemove', 'recover'] as const) {
    const persist = manager[method].bind(manager) as (...args: unknown[]) => Promise<unknown>;
    (manager as unknown as Record<string, unknown>)[method] = (...args: unknown[]) =>
      insideTransaction()
        ? persist(...args)
        : manager.transaction((m) => (m[method] as (...a: unknown[]) => Promise<unknown>).apply(m, args));
  }

  // Closing the connection with a group open would roll it back under its waiting writers.
  const destroy = dataSource.destroy.bind(dataSource);
  (dataSource as { destroy: unknown }).destroy = async () => {
    while (state.active) await state.active.done;
    commit();
    statements.clear();
    return destroy();
  };
  return dataSource;
}

/**
 * Commits the open group of a guarded SQLite DataSource now rather than at the end of the turn
 * (or as soon as the running transaction ends): for a writer that batches its own rows at
 * `setImmediate`, whose write would otherwise open a group that commits a whole turn later.
 * Everything in the group is durable either way; this only answers sooner. A no-op elsewhere.
 */
export function commitSqliteGroupNow(dataSource: DataSource): void {
  guarded.get(dataSource)?.();
}

/** True for a SQLite DataSource whose transactions already take turns (see `guardSqliteConcurrency`). */
export function isSqliteGuarded(dataSource: DataSource): boolean {
  return guarded.has(dataSource);
}

export type { EntityManager };
