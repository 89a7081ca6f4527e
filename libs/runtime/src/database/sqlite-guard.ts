import { AsyncLocalStorage } from 'node:async_hooks';
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';

interface GuardState {
  /** The transaction in progress, if any, and the promise that settles when it ends. */
  active?: { token: symbol; done: Promise<void> };
  /** Transactions wait here for their turn. */
  tail: Promise<unknown>;
}

const context = new AsyncLocalStorage<symbol>();
const guarded = new WeakSet<DataSource>();

/**
 * TypeORM's better-sqlite3 driver runs every query of a DataSource on ONE connection. While a
 * transaction awaits, another request's query would run on that connection inside it: a
 * concurrent write would then vanish if the transaction rolled back, and a second transaction
 * would silently become a savepoint of the first. This guard makes transactions take turns and
 * makes any query from outside the running transaction wait until it ends, so SQLite keeps the
 * isolation PostgreSQL gives. Queries inside the transaction (same async context) run at once.
 */
export function guardSqliteConcurrency(dataSource: DataSource): DataSource {
  if (dataSource.options.type !== 'better-sqlite3' || guarded.has(dataSource)) return dataSource;
  guarded.add(dataSource);
  const state: GuardState = { tail: Promise.resolve() };

  const runner = dataSource.driver.createQueryRunner('master') as QueryRunner;
  const query = runner.query.bind(runner) as (...args: unknown[]) => Promise<unknown>;
  (runner as { query: unknown }).query = async (...args: unknown[]) => {
    while (state.active && context.getStore() !== state.active.token) await state.active.done;
    return query(...args);
  };

  const manager = dataSource.manager;
  const transaction = manager.transaction.bind(manager) as (...args: unknown[]) => Promise<unknown>;
  (manager as { transaction: unknown }).transaction = (...args: unknown[]) => {
    // Already inside the running transaction: TypeORM nests it as a savepoint, as it should.
    if (state.active && context.getStore() === state.active.token) return transaction(...args);
    const turn = state.tail.then(async () => {
      let end!: () => void;
      const token = Symbol('sqlite-transaction');
      state.active = { token, done: new Promise<void>((resolve) => (end = resolve)) };
      try {
        return await context.run(token, () => transaction(...args));
      } finally {
        state.active = undefined;
        end();
      }
    });
    state.tail = turn.catch(() => undefined);
    return turn;
  };
  return dataSource;
}

export type { EntityManager };
