import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { openDataSource, SQLITE_WAL_CHECKPOINT_PAGES, SQLITE_WAL_SIZE_LIMIT_BYTES } from './data-source-options';

describe('the embedded database (SQLite) as every service opens it', () => {
  let dir: string;
  let dataSource: DataSource;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tessera-pragmas-'));
    dataSource = await openDataSource(
      { service: 'pragmas', entities: [], migrations: { sqlite: [], postgres: [] } },
      { engine: 'sqlite', sqlitePath: join(dir, 'pragmas.sqlite') },
    );
  });

  afterAll(async () => {
    await dataSource?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  const pragma = async (name: string) => {
    const [row] = (await dataSource.query(`PRAGMA ${name}`)) as Array<Record<string, unknown>>;
    return Object.values(row)[0];
  };

  it('writes ahead (WAL), durable across a killed process (synchronous = NORMAL), with foreign keys on', async () => {
    expect(await pragma('journal_mode')).toBe('wal');
    expect(await pragma('synchronous')).toBe(1);
    expect(await pragma('foreign_keys')).toBe(1);
    expect(await pragma('busy_timeout')).toBe(5000);
  });

  it('checkpoints every 1,000 WAL pages and cuts a checkpointed WAL back to 64 MB', async () => {
    expect(SQLITE_WAL_CHECKPOINT_PAGES).toBe(1000);
    expect(await pragma('wal_autocheckpoint')).toBe(SQLITE_WAL_CHECKPOINT_PAGES);
    expect(await pragma('journal_size_limit')).toBe(SQLITE_WAL_SIZE_LIMIT_BYTES);
  });
});
