import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BeforeInsert, Column, DataSource, Entity, PrimaryColumn } from 'typeorm';
import { dataSourceOptions } from './data-source-options';
import { commitSqliteGroupNow, guardSqliteConcurrency } from './sqlite-guard';

@Entity('rows')
class Row {
  @PrimaryColumn('varchar', { length: 32 })
  id!: string;

  @Column('integer', { default: 0 })
  n!: number;
}

/** A row whose insert waits for the test, then fails: a save() that rolls back after others wrote. */
let releaseRefusal: () => void = () => undefined;
@Entity('refused_rows')
class RefusedRow {
  @PrimaryColumn('varchar', { length: 32 })
  id!: string;

  @BeforeInsert()
  async refuse() {
    await new Promise<void>((r) => (releaseRefusal = r));
    throw new Error('refused');
  }
}

describe('SQLite concurrency guard', () => {
  let dir: string;
  let ds: DataSource;
  const tick = () => new Promise((r) => setImmediate(r));

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tessera-guard-'));
    ds = new DataSource({
      ...dataSourceOptions({ service: 'guard', entities: [Row, RefusedRow], migrations: { sqlite: [], postgres: [] } }, { engine: 'sqlite', sqlitePath: join(dir, 'g.sqlite') }),
      synchronize: true, // a throwaway schema for this test only
    });
    await ds.initialize();
    guardSqliteConcurrency(ds);
  });
  afterEach(async () => {
    if (ds.isInitialized) await ds.destroy();
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

  it('keeps a write made beside a save() outside any transaction that rolls back meanwhile', async () => {
    // TypeORM's save() opens a transaction of its own; the insert's listener holds it open.
    const saving = ds.manager.save(Object.assign(new RefusedRow(), { id: 'refused' })).catch((err: Error) => err.message);
    await tick();
    const outside = ds.manager.insert(Row, { id: 'outside' });
    await tick();
    releaseRefusal();
    expect(await saving).toBe('refused');
    await outside;
    expect((await ds.manager.find(Row)).map((r) => r.id)).toEqual(['outside']);
    // And a save() that succeeds outside a transaction is there, with the rest, once it resolves.
    await Promise.all([ds.manager.save(Row, { id: 'saved', n: 1 }), ds.manager.insert(Row, { id: 'beside' })]);
    expect((await ds.manager.find(Row, { order: { id: 'ASC' } })).map((r) => r.id)).toEqual(['beside', 'outside', 'saved']);
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

  it('undoes a nested transaction that fails and keeps the rest of the one around it', async () => {
    await ds.transaction(async (outer) => {
      await outer.insert(Row, { id: 'outer' });
      await ds.transaction(async (inner) => {
        await inner.insert(Row, { id: 'inner' });
        throw new Error('roll back the inner one');
      }).catch(() => undefined);
      await outer.insert(Row, { id: 'outer-after' });
    });
    expect((await ds.manager.find(Row, { order: { id: 'ASC' } })).map((r) => r.id)).toEqual(['outer', 'outer-after']);
  });

  describe('group commit', () => {
    interface Statement {
      run(...params: unknown[]): unknown;
      all(...params: unknown[]): unknown[];
    }
    interface Connection {
      prepare(sql: string): Statement;
      close(): void;
    }
    const connection = () => (ds.driver as unknown as { databaseConnection: Connection }).databaseConnection;

    /** Counts the COMMITs the guard sends to the connection. */
    function countCommits(): () => number {
      const connection = (ds.driver as unknown as { databaseConnection: Connection }).databaseConnection;
      const prepare = connection.prepare.bind(connection);
      let commits = 0;
      connection.prepare = (sql: string) => {
        const statement = prepare(sql);
        if (sql !== 'COMMIT') return statement;
        const run = statement.run.bind(statement);
        statement.run = (...params: unknown[]) => (commits++, run(...params));
        return statement;
      };
      return () => commits;
    }
    /** What another connection (another process, a backup) sees: only committed rows. */
    const committedIds = () => {
      // Another better-sqlite3 connection to the same file (the driver's own class).
      const Database = connection().constructor as new (path: string, options: { readonly: boolean }) => Connection;
      const other = new Database(join(dir, 'g.sqlite'), { readonly: true });
      try {
        return (other.prepare('SELECT id FROM rows ORDER BY id').all() as Array<{ id: string }>).map((r) => r.id);
      } finally {
        other.close();
      }
    };

    it('commits the writes of one event-loop turn together, and each caller hears of its write only once it is committed', async () => {
      const commits = countCommits();
      const seenAtResolve: string[][] = [];
      const writes = [
        ds.transaction(async (m) => {
          await m.insert(Row, { id: 'tx-1' });
          await m.insert(Row, { id: 'tx-2' });
        }),
        ds.manager.insert(Row, { id: 'plain-1' }),
        ds.transaction((m) => m.insert(Row, { id: 'tx-3' })),
        ds.query(`INSERT INTO rows (id, n) VALUES ('plain-2', 0)`),
      ].map((p) => p.then(() => seenAtResolve.push(committedIds())));
      await Promise.all(writes);
      expect(commits()).toBe(1);
      const all = ['plain-1', 'plain-2', 'tx-1', 'tx-2', 'tx-3'];
      expect(seenAtResolve).toEqual([all, all, all, all]);
    });

    it("rolls back only the failing transaction's own work, never its neighbours' in the same commit", async () => {
      const commits = countCommits();
      const results = await Promise.allSettled([
        ds.transaction((m) => m.insert(Row, { id: 'kept-1' })),
        ds.transaction(async (m) => {
          await m.insert(Row, { id: 'undone' });
          throw new Error('roll back');
        }),
        ds.manager.insert(Row, { id: 'kept-1' }), // a duplicate key: this statement fails alone
        ds.transaction((m) => m.insert(Row, { id: 'kept-2' })),
      ]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
      expect(commits()).toBe(1);
      expect(committedIds()).toEqual(['kept-1', 'kept-2']);
    });

    it('answers a read that ran while a group was open only after that group is committed', async () => {
      await ds.query(`INSERT INTO rows (id, n) VALUES ('before', 0)`);
      const order: string[] = [];
      // DataSource.query reaches the connection without awaiting: the insert opens a group, the
      // select runs inside it.
      const write = ds.query(`INSERT INTO rows (id, n) VALUES ('pending', 0)`).then(() => order.push('write committed'));
      const read = ds.query('SELECT id FROM rows ORDER BY id').then((rows: Array<{ id: string }>) => {
        order.push('read answered');
        expect(committedIds()).toContain('pending');
        return rows.map((r) => r.id);
      });
      expect(await read).toEqual(['before', 'pending']);
      await write;
      expect(order).toEqual(['write committed', 'read answered']);
    });

    it('keeps a group open while a transaction awaits, and commits it when that transaction ends', async () => {
      const commits = countCommits();
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let slowDone = false;
      const slow = ds.transaction(async (m) => {
        await m.insert(Row, { id: 'slow' });
        await gate;
      }).then(() => (slowDone = true));
      const quick = ds.query(`INSERT INTO rows (id, n) VALUES ('quick', 0)`);
      await tick();
      await tick();
      expect(committedIds()).toEqual([]);
      expect(slowDone).toBe(false);
      release();
      await Promise.all([slow, quick]);
      expect(committedIds()).toEqual(['quick', 'slow']);
      // The write made outside the transaction waited for it, so both went into one commit.
      expect(commits()).toBe(1);
    });

    it('fails every writer of a group whose commit fails', async () => {
      // A deferred foreign key is checked at COMMIT: the one way to make a commit fail on demand.
      await ds.query('CREATE TABLE child (id TEXT PRIMARY KEY, parent TEXT REFERENCES rows(id) DEFERRABLE INITIALLY DEFERRED)');
      const results = await Promise.allSettled([
        ds.manager.insert(Row, { id: 'innocent' }),
        ds.query(`INSERT INTO child (id, parent) VALUES ('orphan', 'missing')`),
      ]);
      expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
      expect(String((results[0] as PromiseRejectedResult).reason)).toMatch(/FOREIGN KEY/);
      expect(committedIds()).toEqual([]);
      // The connection is usable afterwards, with a fresh group.
      await ds.manager.insert(Row, { id: 'after' });
      expect(committedIds()).toEqual(['after']);
    });

    it('commits the open group at once when a writer asks, without waiting for the end of the turn', async () => {
      const write = ds.query(`INSERT INTO rows (id, n) VALUES ('early', 0)`);
      expect(committedIds()).toEqual([]);
      commitSqliteGroupNow(ds);
      // Committed before any other turn of the event loop ran.
      expect(committedIds()).toEqual(['early']);
      await write;
    });

    it('commits an open group before the connection closes', async () => {
      const write = ds.query(`INSERT INTO rows (id, n) VALUES ('last', 0)`);
      await ds.destroy();
      await write;
      expect(committedIds()).toEqual(['last']);
    });
  });
});
