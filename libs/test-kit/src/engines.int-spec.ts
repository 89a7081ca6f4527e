import { DataSource, Entity, PrimaryColumn, type MigrationInterface, type QueryRunner } from 'typeorm';
import type { ServiceDatabase } from '@tessera/runtime';
import { createTestDatabase, eventually, testEngines } from './engines';
import { FakeClock } from './fake-clock';

@Entity('things')
class Thing {
  @PrimaryColumn('varchar', { length: 36 })
  id!: string;
}

class CreateThings1700000000000 implements MigrationInterface {
  async up(q: QueryRunner) {
    await q.query('CREATE TABLE "things" ("id" varchar(36) PRIMARY KEY)');
  }
  async down(q: QueryRunner) {
    await q.query('DROP TABLE "things"');
  }
}

class BrokenMigration1700000000001 implements MigrationInterface {
  async up(q: QueryRunner) {
    await q.query('CREATE TABLE "things" ("id" varchar(36) PRIMARY KEY)');
  }
  async down() {
    // nothing to undo: up always fails
  }
}

const db = (migrations: (new () => MigrationInterface)[]): ServiceDatabase => ({
  service: 'test-kit',
  entities: [Thing],
  migrations: { sqlite: migrations, postgres: migrations },
});

describe.each(testEngines())('createTestDatabase on %s', (engine) => {
  it('gives each caller its own migrated database, and destroy() removes it', async () => {
    const a = await createTestDatabase(db([CreateThings1700000000000]), engine);
    const b = await createTestDatabase(db([CreateThings1700000000000]), engine);
    try {
      await a.dataSource.getRepository(Thing).insert({ id: 'only-in-a' });
      expect(await a.dataSource.getRepository(Thing).count()).toBe(1);
      expect(await b.dataSource.getRepository(Thing).count()).toBe(0);
    } finally {
      await a.destroy();
      await b.destroy();
    }
    expect(a.dataSource.isInitialized).toBe(false);
    if (engine === 'postgres') {
      const probe = new DataSource({ type: 'postgres', url: process.env['DATABASE_URL'] });
      await probe.initialize();
      const rows = await probe.query('SELECT 1 FROM information_schema.schemata WHERE schema_name = $1', [a.target.postgresSchema]);
      await probe.destroy();
      expect(rows).toHaveLength(0);
    }
  });

  it('closes its connection and rethrows when a migration fails', async () => {
    await expect(createTestDatabase(db([CreateThings1700000000000, BrokenMigration1700000000001]), engine)).rejects.toThrow();
  });
});

describe('eventually and FakeClock', () => {
  it('eventually resolves once the check passes and rethrows the last failure at the deadline', async () => {
    let calls = 0;
    await expect(eventually(() => (++calls < 3 ? Promise.reject(new Error('not yet')) : calls), { intervalMs: 1 })).resolves.toBe(3);
    await expect(eventually(() => Promise.reject(new Error('never')), { timeoutMs: 20, intervalMs: 5 })).rejects.toThrow('never');
  });

  it('FakeClock moves only when advanced', () => {
    const clock = new FakeClock(1_000);
    expect(clock.now()).toBe(1_000);
    clock.advance(2);
    expect(clock.now()).toBe(3_000);
  });
});
