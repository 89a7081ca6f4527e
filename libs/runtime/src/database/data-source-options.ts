import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource, type DataSourceOptions, type MixedList, type EntitySchema } from 'typeorm';
import { hashToInt } from '../jobs/cluster-job';
import { guardSqliteConcurrency } from './sqlite-guard';

export type DatabaseEngine = 'sqlite' | 'postgres';

export interface ServiceDatabase {
  /** The owning service; names its SQLite file and its PostgreSQL schema. */
  service: string;
  entities: MixedList<string | (new () => unknown) | EntitySchema>;
  migrations: Record<DatabaseEngine, MixedList<string | (new () => unknown)>>;
}

export interface DatabaseTarget {
  engine: DatabaseEngine;
  /** SQLite file path (or ':memory:'). */
  sqlitePath?: string;
  postgresUrl?: string;
  /** PostgreSQL schema; defaults to the service name with underscores. */
  postgresSchema?: string;
}

export function engineOf(databaseUrl: string | undefined): DatabaseEngine {
  return databaseUrl ? 'postgres' : 'sqlite';
}

/** Where a service's data lives for the platform's configuration. */
export function databaseTarget(service: string, dataDir: string, databaseUrl?: string): DatabaseTarget {
  if (databaseUrl) return { engine: 'postgres', postgresUrl: databaseUrl, postgresSchema: schemaName(service) };
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  return { engine: 'sqlite', sqlitePath: join(dataDir, `${service}.sqlite`) };
}

export const schemaName = (service: string) => service.replace(/[^a-z0-9]/gi, '_').toLowerCase();

/** WAL pages between automatic checkpoints of an embedded database (SQLite's default). */
export const SQLITE_WAL_CHECKPOINT_PAGES = 1000;
/** Size a checkpointed WAL file is truncated back to. */
export const SQLITE_WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

/**
 * One DataSource per service: each service owns its tables (and outbox), in its own SQLite
 * file or PostgreSQL schema, so services can be split onto separate databases later.
 * `synchronize` is never on: the schema comes from the migrations of each engine.
 */
export function dataSourceOptions(db: ServiceDatabase, target: DatabaseTarget): DataSourceOptions {
  const common = {
    entities: db.entities,
    migrations: db.migrations[target.engine],
    migrationsTableName: 'migrations',
    migrationsRun: false,
    synchronize: false,
    logging: false,
  } as const;
  if (target.engine === 'sqlite') {
    return {
      ...common,
      type: 'better-sqlite3',
      database: target.sqlitePath ?? ':memory:',
      prepareDatabase: (sqlite: { pragma(s: string): unknown }) => {
        sqlite.pragma('journal_mode = WAL');
        // NORMAL is durable across application crashes in WAL mode; only an OS crash can lose
        // the last transactions, the usual trade-off for an embedded database.
        sqlite.pragma('synchronous = NORMAL');
        // A checkpoint runs inside the commit that fills the WAL to this many pages, and holds up
        // every request waiting on that commit. 10,000 pages (rarer, longer checkpoints) gained
        // nothing per CPU-second in an interleaved A/B and doubled the SSO flows' p99 (22 -> 46 ms),
        // so SQLite's default stays, stated here. A WAL grown past 64 MB (a long backup read holds
        // checkpoints back) is cut back to that once checkpointed.
        sqlite.pragma(`wal_autocheckpoint = ${SQLITE_WAL_CHECKPOINT_PAGES}`);
        sqlite.pragma(`journal_size_limit = ${SQLITE_WAL_SIZE_LIMIT_BYTES}`);
        sqlite.pragma('foreign_keys = ON');
        sqlite.pragma('busy_timeout = 5000');
      },
    };
  }
  return {
    ...common,
    type: 'postgres',
    url: target.postgresUrl,
    schema: target.postgresSchema,
    // Migrations name tables without a schema: the connection's search_path puts them (and
    // every unqualified query) in the service's own schema.
    extra: { max: 10, ...(target.postgresSchema ? { options: `-c search_path="${target.postgresSchema}"` } : {}) },
  };
}

/** Opens a service's DataSource; on SQLite with the concurrency guard every service needs. */
export async function openDataSource(db: ServiceDatabase, target: DatabaseTarget): Promise<DataSource> {
  const dataSource = new DataSource(dataSourceOptions(db, target));
  await dataSource.initialize();
  return guardSqliteConcurrency(dataSource);
}

/**
 * Runs pending migrations. On PostgreSQL replicas may start together: a session advisory lock
 * makes them take turns, and the schema is created first so the migrations table can live in it.
 */
export async function migrate(dataSource: DataSource): Promise<void> {
  const options = dataSource.options;
  if (options.type !== 'postgres') {
    await dataSource.runMigrations({ transaction: 'each' });
    return;
  }
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  const lockId = hashToInt(`tessera:migrations:${options.schema ?? 'public'}`);
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [lockId]);
    if (options.schema) await runner.query(`CREATE SCHEMA IF NOT EXISTS "${options.schema}"`);
    await dataSource.runMigrations({ transaction: 'each' });
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [lockId]).catch(() => undefined);
    await runner.release();
  }
}
