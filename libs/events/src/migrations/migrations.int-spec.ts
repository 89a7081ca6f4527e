import { createTestDatabase, testEngines, type TestDatabase } from '@tessera/test-kit';
import { eventsDatabase } from '../../test/support';
import { EVENTS_MIGRATIONS } from './index';

describe.each(testEngines())('events migrations on %s', (engine) => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase(eventsDatabase(), engine);
  });
  afterAll(() => db.destroy());

  const pendingSchemaChanges = async () =>
    (await db.dataSource.driver.createSchemaBuilder().log()).upQueries.map((q) => q.query);

  it('creates exactly the schema the entities describe', async () => {
    expect(await pendingSchemaChanges()).toEqual([]);
  });

  it('reverts completely and applies again', async () => {
    // Every events migration, newest first, down to an empty schema.
    for (let i = 0; i < EVENTS_MIGRATIONS[engine].length; i++) await db.dataSource.undoLastMigration({ transaction: 'each' });
    const runner = db.dataSource.createQueryRunner();
    try {
      for (const table of ['outbox', 'processed_events', 'dead_letters', 'event_inbox'])
        expect(await runner.getTable(table)).toBeUndefined();
    } finally {
      await runner.release();
    }
    // The comparison above is only worth something if it sees a missing schema.
    expect((await pendingSchemaChanges()).length).toBeGreaterThan(0);
    await db.dataSource.runMigrations({ transaction: 'each' });
    expect(await pendingSchemaChanges()).toEqual([]);
  });
});
