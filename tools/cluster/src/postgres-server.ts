import { spawnSync } from 'node:child_process';
import { chownSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { postgresUser } from './binaries';
import { GiveUp, ManagedProcess, waitFor } from './managed-process';

export interface PostgresServer {
  /** The `tessera` database, as the services' DATABASE_URL. */
  url: string;
  port: number;
  process: ManagedProcess;
  /**
   * Stops the server and starts it again on the same data. `immediate` is a crash as far as the
   * database is concerned (no checkpoint; recovery replays the WAL at the next start); `fast`
   * rolls back open transactions and checkpoints first.
   */
  restart(mode?: 'fast' | 'immediate', downMs?: number): Promise<void>;
  stop(): Promise<void>;
}

const SHUTDOWN_SIGNAL = { fast: 'SIGINT', immediate: 'SIGQUIT' } as const;

/**
 * A PostgreSQL server of its own in `dir` (initdb, then `postgres` in the foreground on a loopback
 * port, its socket in the same folder), with a `tessera` superuser trusted on loopback and a
 * `tessera` database. Run as the `postgres` user when the caller is root.
 */
export async function startPostgres(options: { bin: string; dir: string; port: number; logFile: string }): Promise<PostgresServer> {
  const user = postgresUser();
  const data = join(options.dir, 'data');
  mkdirSync(data, { recursive: true, mode: 0o700 });
  if (user) {
    chownSync(options.dir, user.uid, user.gid);
    chownSync(data, user.uid, user.gid);
  }
  const initdb = spawnSync(
    join(options.bin, 'initdb'),
    ['-D', data, '-U', 'tessera', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync'],
    { encoding: 'utf8', ...user },
  );
  if (initdb.status !== 0) throw new Error(`initdb failed: ${initdb.stderr || initdb.error?.message}`);

  const proc = new ManagedProcess(
    'postgres',
    join(options.bin, 'postgres'),
    [
      '-D', data,
      '-p', String(options.port),
      '-c', 'listen_addresses=127.0.0.1',
      '-c', `unix_socket_directories=${options.dir}`,
      // Five service processes with their pools, the chaos tools and a person's psql.
      '-c', 'max_connections=200',
      '-c', 'shared_buffers=128MB',
    ],
    { logFile: options.logFile, ...user },
  );
  const url = `postgres://tessera@127.0.0.1:${options.port}/tessera`;
  const accepting = (database: string) => async () => {
    if (!proc.running) throw new GiveUp(`postgres exited (${proc.exitDescription()}); see ${options.logFile}`);
    const client = new Client({ connectionString: `postgres://tessera@127.0.0.1:${options.port}/${database}`, connectionTimeoutMillis: 1000 });
    try {
      await client.connect();
      await client.query('select 1');
      return true;
    } finally {
      await client.end().catch(() => undefined);
    }
  };
  const start = async () => {
    proc.start();
    await waitFor('PostgreSQL', accepting('postgres'), 60_000, () => proc.exitDescription());
  };
  await start();
  const admin = new Client({ connectionString: `postgres://tessera@127.0.0.1:${options.port}/postgres` });
  await admin.connect();
  await admin.query('create database tessera');
  await admin.end();
  await waitFor('the tessera database', accepting('tessera'), 10_000);

  return {
    url,
    port: options.port,
    process: proc,
    async restart(mode = 'fast', downMs = 0) {
      await proc.stop(SHUTDOWN_SIGNAL[mode], 30_000);
      if (downMs) await new Promise((r) => setTimeout(r, downMs));
      await start();
    },
    stop: () => proc.stop('SIGINT', 30_000),
  };
}
