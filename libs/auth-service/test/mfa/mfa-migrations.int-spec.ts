import type { DataSource } from 'typeorm';
import { createTestDatabase, testEngines, type TestDatabase } from '@tessera/test-kit';
import { AUTH_SERVICE_DATABASE } from '../../src';
import { MfaPostgres1796000100000 } from '../../src/database/migrations/postgres/1796000100000-Mfa';
import { MfaSqlite1796000100000 } from '../../src/database/migrations/sqlite/1796000100000-Mfa';
import { MFA_ENTITIES } from '../../src/mfa/entities';

const mfaTables = (ds: DataSource) => MFA_ENTITIES.map((e) => ds.getMetadata(e).tableName);

/** What the schema builder would still change in the MFA tables (other features' tables are theirs to check). */
async function pendingMfaChanges(ds: DataSource): Promise<string[]> {
  const tables = mfaTables(ds);
  const sql = await ds.driver.createSchemaBuilder().log();
  return sql.upQueries.map((q) => q.query).filter((q) => tables.some((t) => q.includes(`"${t}"`) || q.includes(`.${t}"`)));
}

async function existingMfaTables(ds: DataSource): Promise<string[]> {
  const runner = ds.createQueryRunner();
  try {
    const existing: string[] = [];
    for (const table of mfaTables(ds)) if (await runner.hasTable(table)) existing.push(table);
    return existing;
  } finally {
    await runner.release();
  }
}

describe.each(testEngines())('MFA migration on %s', (engine) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(AUTH_SERVICE_DATABASE, engine);
  });
  afterAll(() => db.destroy());

  it('creates tables that match the entities exactly', async () => {
    expect(await existingMfaTables(db.dataSource)).toEqual(mfaTables(db.dataSource));
    expect(await pendingMfaChanges(db.dataSource)).toEqual([]);
  });

  it('reverts completely and applies again to the same schema', async () => {
    const migration = engine === 'postgres' ? new MfaPostgres1796000100000() : new MfaSqlite1796000100000();
    const runner = db.dataSource.createQueryRunner();
    try {
      await migration.down(runner);
      expect(await existingMfaTables(db.dataSource)).toEqual([]);
      await migration.up(runner);
    } finally {
      await runner.release();
    }
    expect(await existingMfaTables(db.dataSource)).toEqual(mfaTables(db.dataSource));
    expect(await pendingMfaChanges(db.dataSource)).toEqual([]);
  });
});
