import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { dataSourceOptions, type DatabaseEngine, type DatabaseTarget } from '../src/database/data-source-options';
import { guardSqliteConcurrency } from '../src/database/sqlite-guard';

/**
 * Tests of this folder only (runtime cannot use test-kit, which depends on it): SQLite always,
 * PostgreSQL too when DATABASE_URL is set.
 */
export const engines = (): DatabaseEngine[] => (process.env['DATABASE_URL'] ? ['sqlite', 'postgres'] : ['sqlite']);

export interface ThrowawayDatabase {
  target: DatabaseTarget;
  /** Another DataSource (pool) on the same database: a second replica. */
  open(): Promise<DataSource>;
  destroy(): Promise<void>;
}

/** A temporary SQLite file or a private PostgreSQL schema, its tables made from `entities` (synchronize: throwaway only). */
export async function throwawayDatabase(engine: DatabaseEngine, entities: Array<new () => unknown>): Promise<ThrowawayDatabase> {
  const dir = engine === 'sqlite' ? mkdtempSync(join(tmpdir(), 'tessera-jobs-')) : undefined;
  const target: DatabaseTarget = dir
    ? { engine, sqlitePath: join(dir, 'jobs.sqlite') }
    : { engine, postgresUrl: process.env['DATABASE_URL'], postgresSchema: `t_jobs_${randomBytes(5).toString('hex')}` };
  const db = { service: 'jobs', entities, migrations: { sqlite: [], postgres: [] } };
  const opened: DataSource[] = [];
  const open = async (synchronize = false) => {
    const ds = new DataSource({ ...dataSourceOptions(db, target), synchronize });
    await ds.initialize();
    opened.push(ds);
    return guardSqliteConcurrency(ds);
  };
  if (target.postgresSchema) {
    const admin = await open();
    await admin.query(`CREATE SCHEMA "${target.postgresSchema}"`);
  }
  await open(true);
  return {
    target,
    open: () => open(),
    async destroy() {
      for (const ds of opened) {
        if (!ds.isInitialized) continue;
        if (target.postgresSchema && ds === opened[0]) await ds.query(`DROP SCHEMA IF EXISTS "${target.postgresSchema}" CASCADE`).catch(() => undefined);
        await ds.destroy().catch(() => undefined);
      }
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
