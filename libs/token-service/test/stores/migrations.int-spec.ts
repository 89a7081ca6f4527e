import type { DataSource } from 'typeorm';
import { createTestDatabase, testEngines, type TestDatabase } from '@tessera/test-kit';
import { ClientTypeormStore } from '../../src/adapters/typeorm/client.typeorm-store';
import { SERVICE_DATABASE } from '../../src/adapters/typeorm/database';
import { TOKEN_SERVICE_ENTITIES } from '../../src/adapters/typeorm/entities';
import { aFullClient } from './client.store.contract';

/** The SQL the schema builder would still run to make the database match the entities. */
async function pendingSchemaChanges(dataSource: DataSource): Promise<string[]> {
  const sql = await dataSource.driver.createSchemaBuilder().log();
  return sql.upQueries.map((q) => q.query);
}

/** The token service's own tables (other libraries' tables may share the database). */
const tokenServiceTables = (dataSource: DataSource) =>
  TOKEN_SERVICE_ENTITIES.map((entity) => dataSource.getMetadata(entity).tablePath);

/** Those of the token service's tables that exist. */
async function existingTokenServiceTables(dataSource: DataSource): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  try {
    const existing: string[] = [];
    for (const table of tokenServiceTables(dataSource))
      if (await runner.hasTable(table)) existing.push(table);
    return existing;
  } finally {
    await runner.release();
  }
}

describe.each(testEngines())('token-service migrations on %s', (engine) => {
  let db: TestDatabase;
  let opened: TestDatabase | undefined;
  beforeEach(async () => {
    db = opened = await createTestDatabase(SERVICE_DATABASE, engine);
  });
  afterEach(async () => {
    const closing = opened;
    opened = undefined;
    await closing?.destroy();
  });

  it('create every token-service table where the stores look for it (the service schema on PostgreSQL)', async () => {
    expect(await existingTokenServiceTables(db.dataSource)).toEqual(tokenServiceTables(db.dataSource));
  });

  it('match the entities exactly: the schema builder finds nothing left to change', async () => {
    expect(await pendingSchemaChanges(db.dataSource)).toEqual([]);
  });

  it('leave no migration pending', async () => {
    expect(await db.dataSource.showMigrations()).toBe(false);
  });

  it('revert completely in reverse order, then apply again to the same schema, which stores can use', async () => {
    const ds = db.dataSource;
    const count = ds.migrations.length;
    expect(count).toBeGreaterThan(0);

    for (let i = 0; i < count; i++) await ds.undoLastMigration({ transaction: 'each' });
    expect(await existingTokenServiceTables(ds)).toEqual([]);
    expect(await ds.showMigrations()).toBe(true);

    const applied = await ds.runMigrations({ transaction: 'each' });
    expect(applied).toHaveLength(count);
    expect(await existingTokenServiceTables(ds)).toEqual(tokenServiceTables(ds));
    expect(await pendingSchemaChanges(ds)).toEqual([]);

    const clients = new ClientTypeormStore(ds);
    const client = aFullClient();
    await clients.insert(client);
    expect(await clients.find(client.clientId)).toEqual(client);
  });
});
