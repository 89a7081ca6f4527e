import { Column, Entity, PrimaryColumn, type DataSource } from 'typeorm';
import { engines, throwawayDatabase, type ThrowawayDatabase } from '../../test/throwaway-database';
import { deleteBatch, deleteBatchReturning, sweepInBatches, type SweepStep } from './batched-delete';

@Entity('expiring_rows')
class ExpiringRow {
  @PrimaryColumn('varchar', { length: 32 })
  id!: string;

  @Column('bigint', { name: 'expires_at' })
  expiresAt!: number;

  @Column('varchar', { length: 16, default: 'done' })
  status!: string;
}

const NOW = 1_800_000_000;

describe.each(engines())('bounded housekeeping deletes on %s', (engine) => {
  let db: ThrowawayDatabase;
  let ds: DataSource;

  beforeAll(async () => {
    db = await throwawayDatabase(engine, [ExpiringRow]);
    ds = await db.open();
  });
  afterAll(() => db.destroy());

  beforeEach(async () => {
    await ds.query('DELETE FROM "expiring_rows"');
  });

  /** `expired` rows that expired before NOW, `live` ones that have not. */
  async function seed(expired: number, live: number, status = 'done') {
    const rows = [
      ...Array.from({ length: expired }, (_, i) => ({ id: `x-${status}-${i}`, expiresAt: NOW - 1 - (i % 500), status })),
      ...Array.from({ length: live }, (_, i) => ({ id: `l-${status}-${i}`, expiresAt: NOW + (i % 500), status })),
    ];
    for (let i = 0; i < rows.length; i += 500) await ds.manager.insert(ExpiringRow, rows.slice(i, i + 500));
  }
  const count = async (where = '1 = 1') => Number(((await ds.query(`SELECT COUNT(*) AS "n" FROM "expiring_rows" WHERE ${where}`)) as Array<{ n: string | number }>)[0].n);
  const expiredRows = (limit: number) => deleteBatch(ds, { table: ExpiringRow, where: '"expires_at" < $1', params: [NOW], limit });

  it('deletes 2,500 expired rows in three statements of at most 1,000, keeping the live ones', async () => {
    await seed(2500, 300);
    const calls: number[] = [];
    const step: SweepStep = { name: 'expiring_rows', deleteBatch: async (n) => (calls.push(await expiredRows(n)), calls[calls.length - 1]) };

    const report = await sweepInBatches([step], { batchSize: 1000 });

    expect(calls).toEqual([1000, 1000, 500]);
    expect(report).toMatchObject({ deleted: { expiring_rows: 2500 }, statements: 3, left: [], failed: [], outcome: 'done' });
    expect(await count(`"expires_at" < ${NOW}`)).toBe(0);
    expect(await count()).toBe(300);
  });

  it('deletes at most `limit` rows per statement, and nothing that does not match', async () => {
    await seed(5, 5);
    expect([await expiredRows(2), await expiredRows(2), await expiredRows(2), await expiredRows(2)]).toEqual([2, 2, 1, 0]);
    expect(await count()).toBe(5);
  });

  it('binds a placeholder used more than once, and combines conditions', async () => {
    await seed(4, 2, 'done');
    await seed(3, 0, 'retrying');
    const deleted = await deleteBatch(ds, { table: 'expiring_rows', where: `"status" = $2 AND ("expires_at" < $1 OR "expires_at" = $1 - 1)`, params: [NOW, 'done'], limit: 100 });
    expect(deleted).toBe(4);
    expect(await count(`"status" = 'retrying'`)).toBe(3);
  });

  it('returns a column of the deleted rows, inside a transaction', async () => {
    await seed(3, 1);
    const ids = await ds.transaction((manager) => deleteBatchReturning(manager, { table: ExpiringRow, where: '"expires_at" < $1', params: [NOW], limit: 2 }, 'id'));
    expect(ids).toHaveLength(2);
    expect(ids.every((r) => String(r.id).startsWith('x-'))).toBe(true);
    expect(await count()).toBe(2);
  });

  it('refuses a batch limit that is not a positive integer', async () => {
    await expect(expiredRows(0)).rejects.toThrow(RangeError);
  });

  it('stops starting statements once the time budget is spent: the next run goes on with the rest', async () => {
    await seed(2500, 10);
    let clock = 0;
    // Every statement "takes" 40 ms of a 100 ms budget: three statements, then the run stops.
    const step: SweepStep = { name: 'expiring_rows', deleteBatch: async (n) => ((clock += 40), expiredRows(n)) };
    const first = await sweepInBatches([step], { batchSize: 300, budgetMs: 100, now: () => clock });
    expect(first).toMatchObject({ deleted: { expiring_rows: 900 }, statements: 3, left: ['expiring_rows'], outcome: 'more' });

    clock = 0;
    const second = await sweepInBatches([step], { batchSize: 1000, budgetMs: 10_000, now: () => clock });
    expect(second).toMatchObject({ deleted: { expiring_rows: 1600 }, statements: 2, left: [], outcome: 'done' });
    expect(await count()).toBe(10);
  });

  it('gives every step its turn in each round, so one table with a backlog starves no other', async () => {
    const order: string[] = [];
    let clock = 0;
    // The backlog's statements "take" 1 ms each of a 3 ms budget.
    const backlog: SweepStep = { name: 'big', deleteBatch: async (n) => (order.push('big'), clock++, n) };
    const small: SweepStep = { name: 'small', deleteBatch: async () => (order.push('small'), 0) };
    const failing: SweepStep = { name: 'broken', deleteBatch: async () => Promise.reject(new Error('no such table')) };
    const warnings: string[] = [];
    const report = await sweepInBatches([backlog, failing, small], {
      batchSize: 10,
      budgetMs: 3,
      now: () => clock,
      logger: { debug: () => undefined, warn: (_o, msg) => warnings.push(msg) },
    });
    expect(order).toEqual(['big', 'small', 'big', 'big']);
    expect(report).toMatchObject({ failed: ['broken'], left: ['big'], outcome: 'more' });
    expect(warnings).toEqual(['housekeeping step failed']);
  });

  it('stops between statements when aborted', async () => {
    await seed(50, 0);
    const abort = new AbortController();
    const step: SweepStep = { name: 'expiring_rows', deleteBatch: async (n) => { const d = await expiredRows(n); abort.abort(); return d; } };
    const report = await sweepInBatches([step], { batchSize: 10, signal: abort.signal });
    expect(report).toMatchObject({ statements: 1, deleted: { expiring_rows: 10 }, outcome: 'more' });
  });
});
