import { createTestDatabase, testEngines, type TestDatabase } from '@tessera/test-kit';
import { deferred, eventsDatabase, grantRevoked } from '../test/support';
import { OutboxEntity } from './entities/outbox.entity';
import { Outbox } from './outbox';
import { inTransaction } from './transaction';

describe.each(testEngines())('inTransaction on %s', (engine) => {
  let db: TestDatabase;
  const outbox = new Outbox();

  beforeAll(async () => {
    db = await createTestDatabase(eventsDatabase(), engine);
  });
  afterAll(() => db.destroy());

  it('never lets a concurrent transaction read rows that are later rolled back', async () => {
    const written = deferred();
    const release = deferred();
    const first = inTransaction(db.dataSource, async (m) => {
      await outbox.add(m, 'grant.revoked', grantRevoked());
      written.resolve();
      await release.promise;
      throw new Error('rolled back');
    });
    await written.promise;
    const second = inTransaction(db.dataSource, (m) => m.count(OutboxEntity));
    // On SQLite the second transaction waits for its turn; on PostgreSQL it runs now, isolated.
    if (engine === 'postgres') expect(await second).toBe(0);
    release.resolve();
    await expect(first).rejects.toThrow('rolled back');
    expect(await second).toBe(0);
  });

  it('joins the transaction it is called from, instead of waiting for it', async () => {
    const result = await inTransaction(db.dataSource, async (outer) =>
      inTransaction(db.dataSource, async (inner) => inner === outer),
    );
    expect(result).toBe(true);
  });
});
