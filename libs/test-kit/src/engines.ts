import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import {
  dataSourceOptions,
  guardSqliteConcurrency,
  migrate,
  type DatabaseEngine,
  type DatabaseTarget,
  type ServiceDatabase,
} from '@tessera/runtime';

/**
 * The storage engines a test runs on: SQLite always, PostgreSQL when DATABASE_URL is set
 * (CI always sets it). Store contract suites and integration tests iterate over this list.
 */
export function testEngines(): DatabaseEngine[] {
  return process.env['DATABASE_URL'] ? ['sqlite', 'postgres'] : ['sqlite'];
}

export interface TestDatabase {
  engine: DatabaseEngine;
  target: DatabaseTarget;
  dataSource: DataSource;
  /** Drops what the test created (the SQLite file or the PostgreSQL schema). */
  destroy(): Promise<void>;
}

/**
 * A fresh, migrated database for one test file: a temporary SQLite file, or a schema of its
 * own on the PostgreSQL server so that parallel Jest workers never see each other's rows.
 */
export async function createTestDatabase(db: ServiceDatabase, engine: DatabaseEngine): Promise<TestDatabase> {
  let target: DatabaseTarget;
  let dir: string | undefined;
  if (engine === 'sqlite') {
    dir = mkdtempSync(join(tmpdir(), 'tessera-test-'));
    target = { engine, sqlitePath: join(dir, `${db.service}.sqlite`) };
  } else {
    const url = process.env['DATABASE_URL'];
    if (!url) throw new Error('DATABASE_URL is required for PostgreSQL tests');
    target = { engine, postgresUrl: url, postgresSchema: `t_${db.service.replace(/\W/g, '_')}_${randomBytes(5).toString('hex')}` };
  }
  const dataSource = new DataSource(dataSourceOptions(db, target));
  const destroy = async () => {
    if (dataSource.isInitialized) {
      if (engine === 'postgres' && target.postgresSchema) {
        await dataSource.query(`DROP SCHEMA IF EXISTS "${target.postgresSchema}" CASCADE`).catch(() => undefined);
      }
      await dataSource.destroy();
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  };
  try {
    await dataSource.initialize();
    guardSqliteConcurrency(dataSource);
    await migrate(dataSource);
  } catch (err) {
    // A failed migration must not leave an open pool and a half-made schema on the shared server.
    await destroy();
    throw err;
  }
  return { engine, target, dataSource, destroy };
}

/** A Redis URL for queue and broadcast suites, or undefined when REDIS_URL is not set. */
export const testRedisUrl = () => process.env['REDIS_URL'] || undefined;

/**
 * Waits until `check` passes (polling), for asynchronous effects such as queued events.
 *
 * The default deadline is a hang guard, not a speed requirement: what is awaited (an outbox
 * relay run, a BullMQ delivery, a consumer) takes milliseconds, but on a loaded 2-core CI
 * machine running two suites beside PostgreSQL and Redis it can take seconds, and 5 s left too
 * little margin. A check returns as soon as it passes, so only a failing test waits this long.
 */
export async function eventually<T>(check: () => Promise<T> | T, { timeoutMs = 20_000, intervalMs = 10 } = {}): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) throw lastError;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
