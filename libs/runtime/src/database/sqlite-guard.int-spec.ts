import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Column, DataSource, Entity, PrimaryColumn } from 'typeorm';
import { dataSourceOptions } from './data-source-options';
import { guardSqliteConcurrency } from './sqlite-guard';

@Entity('rows')
class Row {
  @PrimaryColumn('varchar', { length: 32 })
  id!: string;

  @Column('integer', { default: 0 })
  n!: number;
}

describe('SQLite concurrency guard', () => {
  let dir: string;
  let ds: DataSource;
  const tick = () => new Promise((r) => setImmediate(r));

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tessera-guard-'));
    ds = new DataSource({
      ...dataSourceOptions({ service: 'guard', entities: [Row], migrations: { sqlite: [], postgres: [] } }, { engine: 'sqlite', sqlitePath: join(dir, 'g.sqlite') }),
      synchronize: true, // a throwaway schema for this test only
    });
    await ds.initialize();
    guardSqliteConcurrency(ds);
  });
  afterEach(async () => {
    await ds.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps a write made outside a transaction that rolls back meanwhile', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const tx = ds
      .transaction(async (m) => {
        await m.insert(Row, { id: 'inside' });
        await gate;
        throw new Error('roll back');
      })
      .catch(() => 'rolled back');
    await tick();
    const outside = ds.manager.insert(Row, { id: 'outside' });
    await tick();
    release();
    expect(await tx).toBe('rolled back');
    await outside;
    expect((await ds.manager.find(Row)).map((r) => r.id)).toEqual(['outside']);
  });

  it('runs concurrent transactions one after the other, never as savepoints of each other', async () => {
    await ds.manager.insert(Row, { id: 'counter', n: 0 });
    const increment = () =>
      ds.transaction(async (m) => {
        const row = await m.findOneByOrFail(Row, { id: 'counter' });
        await tick();
        await m.update(Row, { id: 'counter' }, { n: row.n + 1 });
      });
    const failing = ds.transaction(async (m) => {
      await m.update(Row, { id: 'counter' }, { n: 1000 });
      await tick();
      throw new Error('roll back');
    });
    await Promise.all([increment(), failing.catch(() => undefined), increment(), increment()]);
    expect((await ds.manager.findOneByOrFail(Row, { id: 'counter' })).n).toBe(3);
  });

  it('lets a transaction nest another (a savepoint) without waiting for itself', async () => {
    await ds.transaction(async () => {
      await ds.transaction(async (inner) => inner.insert(Row, { id: 'nested' }));
    });
    expect(await ds.manager.countBy(Row, { id: 'nested' })).toBe(1);
  });
});
