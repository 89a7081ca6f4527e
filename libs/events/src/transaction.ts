import { AsyncResource } from 'node:async_hooks';
import type { DataSource, EntityManager } from 'typeorm';
import { isSqliteGuarded, ScopedContext } from '@tessera/runtime';

/** The transactions the caller runs in, by DataSource (a store only while one of them runs). */
const active = new ScopedContext<ReadonlyMap<DataSource, EntityManager>>();
const sqliteTurns = new WeakMap<DataSource, Promise<unknown>>();

/**
 * Runs `work` in a transaction on `dataSource`, joining the caller's transaction when there is
 * one on the same DataSource (so a consumer handler may call code that opens its own).
 *
 * Why not `dataSource.transaction()` directly: TypeORM's SQLite drivers share one connection,
 * and a second concurrent transaction silently becomes a savepoint inside the first. The
 * relay would then read another request's uncommitted outbox rows and publish an event whose
 * change is later rolled back. On SQLite, transactions therefore take turns per DataSource.
 * Service code on the same SQLite DataSource must use this function too for that guarantee.
 * A DataSource opened by the runtime (`guardSqliteConcurrency`) already makes them take turns,
 * and lets them share a group commit, which a queue here would defeat (each turn would wait for
 * the previous one's commit).
 */
export async function inTransaction<T>(
  dataSource: DataSource,
  work: (manager: EntityManager) => Promise<T>,
): Promise<T> {
  const joined = active.getStore()?.get(dataSource);
  if (joined?.queryRunner?.isTransactionActive) return work(joined);
  const run = () =>
    dataSource.transaction((manager) => {
      const scope = new Map(active.getStore() ?? []);
      scope.set(dataSource, manager);
      return active.run(scope, () => work(manager));
    });
  if (!isSqlite(dataSource) || isSqliteGuarded(dataSource)) return run();
  const turn = (sqliteTurns.get(dataSource) ?? Promise.resolve()).then(run, run);
  sqliteTurns.set(
    dataSource,
    turn.catch(() => undefined),
  );
  return turn;
}

export function isSqlite(dataSource: DataSource): boolean {
  return dataSource.options.type === 'better-sqlite3';
}

/**
 * Captures the current async context so that background work (queued deliveries, relay runs)
 * never inherits the context of whoever triggered it, in particular an open transaction.
 */
export function backgroundContext(): <T>(fn: () => T) => T {
  const resource = new AsyncResource('tessera.events');
  return (fn) => resource.runInAsyncScope(fn);
}
