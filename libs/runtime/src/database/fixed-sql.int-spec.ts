import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn, type DataSource, type ValueTransformer } from 'typeorm';
import { engines, throwawayDatabase, type ThrowawayDatabase } from '../../test/throwaway-database';
import { FixedSql } from './fixed-sql';

const json: ValueTransformer = {
  to: (value: unknown) => (value === undefined ? undefined : JSON.stringify(value)),
  from: (value: string | null) => (value === null ? null : JSON.parse(value)),
};

@Entity('fixed_sql_journal')
class JournalLine {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column('varchar', { length: 32 })
  kind!: string;

  @Column('text', { transformer: json })
  details!: Record<string, unknown>;

  @Column('boolean', { default: false })
  flagged!: boolean;
}

@Entity('fixed_sql_keyed')
class KeyedRow {
  @PrimaryColumn('varchar', { length: 32 })
  key!: string;

  @Column('varchar', { length: 16 })
  state!: string;

  @Column('text', { transformer: json, nullable: true })
  payload!: Record<string, unknown> | null;
}

describe.each(engines())('FixedSql on %s', (engine) => {
  let db: ThrowawayDatabase;
  let ds: DataSource;

  beforeAll(async () => {
    db = await throwawayDatabase(engine, [JournalLine, KeyedRow]);
    ds = await db.open();
  });
  afterAll(() => db.destroy());

  it('inserts without the auto-increment id, which the database numbers in order', async () => {
    const lines = new FixedSql(ds, JournalLine);
    for (const kind of ['first', 'second']) {
      await lines.insert(Object.assign(new JournalLine(), { kind, details: { kind, n: [1, 2] }, flagged: kind === 'second' }));
    }
    const rows = await ds.manager.find(JournalLine, { order: { id: 'ASC' } });
    expect(rows.map((r) => [r.kind, r.details, r.flagged])).toEqual([
      ['first', { kind: 'first', n: [1, 2] }, false],
      ['second', { kind: 'second', n: [1, 2] }, true],
    ]);
    expect(rows[1].id).toBe(rows[0].id + 1);
  });

  it('reads and updates rows as TypeORM would convert them, and counts what an update changed', async () => {
    const keyed = new FixedSql(ds, KeyedRow);
    await keyed.insert(Object.assign(new KeyedRow(), { key: 'k1', state: 'pending', payload: { a: 1 } }));
    await keyed.insert(Object.assign(new KeyedRow(), { key: 'k2', state: 'pending', payload: null }));

    expect(await keyed.findOne('"key" = $1', ['k1'])).toEqual({ key: 'k1', state: 'pending', payload: { a: 1 } });
    expect(await keyed.findOne('"key" = $1', ['nope'])).toBeUndefined();

    // A state-machine step: only from pending, once.
    expect(await keyed.update({ state: 'used', payload: { b: 2 } }, '"key" = $3 AND "state" = $4', ['k2', 'pending'])).toBe(1);
    expect(await keyed.update({ state: 'used' }, '"key" = $2 AND "state" = $3', ['k2', 'pending'])).toBe(0);
    expect(await keyed.updateReturningRows({ state: 'used' }, '"key" = $2 AND "state" = $3', ['k1', 'pending'])).toEqual([
      { key: 'k1', state: 'used', payload: { a: 1 } },
    ]);
    expect(await ds.manager.findOneByOrFail(KeyedRow, { key: 'k2' })).toEqual({ key: 'k2', state: 'used', payload: { b: 2 } });
  });
});
