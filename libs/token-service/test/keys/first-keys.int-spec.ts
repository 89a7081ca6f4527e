import { randomBytes } from 'node:crypto';
import { createPostgresDatabase, testEngines } from '@tessera/test-kit';
import { SigningKeysService } from '../../src/keys/signing-keys.service';
import { SigningKeyStore } from '../../src/ports/signing-key.store';
import { startTokenService, type TestApp } from '../support/token-service-app';

/** Four algorithms (ES256, RS256, PS256, EdDSA), a current and a next key each. */
const FIRST_KEY_SET = 8;

describe.each(testEngines())('the first signing keys (%s)', (engine) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTokenService({ engine });
  });
  afterAll(() => app?.close());

  it('are created once, however many starts ask for them at the same time', async () => {
    const keys = app.running.app.get(SigningKeysService);
    const store = app.running.app.get(SigningKeyStore);
    // An empty key table, as on a new database: every key retired long ago, then cleaned away.
    for (const key of await store.list()) await store.save({ ...key, state: 'retired', retiredAt: 1, publishUntil: 1 });
    await store.deleteUnpublished(Math.floor(Date.now() / 1000));
    expect(await store.list()).toEqual([]);
    await Promise.all([keys.ensureKeys(), keys.ensureKeys(), keys.ensureKeys()]);
    const created = await store.list();
    expect(created).toHaveLength(FIRST_KEY_SET);
    expect(created.filter((k) => k.state === 'current').map((k) => k.alg).sort()).toEqual(['ES256', 'EdDSA', 'PS256', 'RS256']);
  });
});

/**
 * Two token-service replicas starting together on one empty PostgreSQL database (how
 * docker-compose.yml and tools/cluster start them): one key set, which both publish at once.
 */
// Replicas need the distributed mode: PostgreSQL, and Redis for their queues (the in-process bus is one per process).
if (process.env['DATABASE_URL'] && process.env['REDIS_URL'])
  describe('two replicas starting together on an empty PostgreSQL database', () => {
    let database: Awaited<ReturnType<typeof createPostgresDatabase>>;
    let replicas: TestApp[] = [];
    beforeAll(async () => {
      database = await createPostgresDatabase();
      const env = { DATABASE_URL: database.url, REDIS_URL: process.env['REDIS_URL'] as string, TESSERA_MASTER_KEY: randomBytes(32).toString('base64url') };
      replicas = await Promise.all([startTokenService({ env }), startTokenService({ env })]);
    });
    afterAll(async () => {
      await Promise.all(replicas.map((r) => r.close()));
      await database?.drop();
    });

    it('create one key set, and both publish the same JWKS', async () => {
      expect(await replicas[0].running.app.get(SigningKeyStore).list()).toHaveLength(FIRST_KEY_SET);
      const [a, b] = await Promise.all(replicas.map((r) => r.running.app.get(SigningKeysService).jwks()));
      expect(b).toEqual(a);
    });
  });
