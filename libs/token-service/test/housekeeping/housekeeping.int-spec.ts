import { randomUUID } from 'node:crypto';
import { testEngines } from '@tessera/test-kit';
import { HousekeepingService } from '../../src/housekeeping.service';
import { AccessTokenStore } from '../../src/ports/access-token.store';
import { BackchannelDeliveryStore } from '../../src/ports/backchannel-delivery.store';
import { anAccessToken } from '../stores/access-token.store.contract';
import { aRevocation, dataSourceOf, requestRevocation, settled } from '../revocation/access-revocation.fixture';
import { Oidc } from '../oidc/support';
import { canRunReplicas, replicasSuite } from './replicas-suite';

const DAY = 86_400;

/** Tables stay bounded: what nobody can use any more goes at the housekeeping sweep, and what still counts stays. */
describe.each(testEngines())('housekeeping (%s)', (engine) => {
  let oidc: Oidc;

  beforeAll(async () => {
    oidc = await Oidc.start(engine);
  });
  afterAll(() => oidc?.close());

  const count = async (table: string) => Number(((await dataSourceOf(oidc.app).query(`SELECT COUNT(*) AS n FROM "${table}"`)) as Array<{ n: string | number }>)[0].n);
  // A challenge leaves one row when it is used: its single use, in the replay cache.
  const usedChallenges = async () =>
    Number(((await dataSourceOf(oidc.app).query(`SELECT COUNT(*) AS n FROM "replay_cache" WHERE "key" LIKE 'challenge:%'`)) as Array<{ n: string | number }>)[0].n);
  const sweep = () => oidc.app.running.app.get(HousekeepingService).sweep();

  it('deletes expired OP sessions, finished deliveries and initial access tokens after 30 days, revocations after a year', async () => {
    const client = await oidc.client();
    await oidc.codeFlow(client, { sub: oidc.newUser() });
    const deliveries = oidc.app.running.app.get(BackchannelDeliveryStore);
    const now = oidc.now();
    for (const status of ['delivered', 'failed', 'retrying'] as const) {
      await deliveries.save({ eventId: randomUUID(), clientId: client.client_id, sub: 'u', status, attempts: 1, createdAt: now, updatedAt: now });
    }
    const iat = async (body: Record<string, unknown>) => (await oidc.app.internal('POST', '/internal/initial-access-tokens', body)).body as { id: string };
    await iat({ expires_in: 60 });
    const revoked = await iat({});
    await oidc.app.internal('DELETE', `/internal/initial-access-tokens/${revoked.id}`);
    await iat({ description: 'long-lived' });
    const revocation = aRevocation(client.client_id, now);
    await requestRevocation(oidc.app, revocation);
    await settled(oidc.app, revocation.revocationId);

    expect(await usedChallenges()).toBeGreaterThan(0);
    const before = { sessions: await count('op_sessions'), deliveries: await count('backchannel_deliveries'), iats: await count('initial_access_tokens'), revocations: await count('access_revocations') };
    await sweep();
    expect({ sessions: await count('op_sessions'), deliveries: await count('backchannel_deliveries'), iats: await count('initial_access_tokens'), revocations: await count('access_revocations') }).toEqual(before);

    oidc.clock.advance(31 * DAY);
    await sweep();
    expect(await count('op_sessions')).toBe(0); // 14 days at most
    expect(await usedChallenges()).toBe(0); // minutes
    expect(await count('backchannel_deliveries')).toBe(1); // the one still retrying
    expect(await count('initial_access_tokens')).toBe(1); // the one without expiry, never revoked
    expect(await count('access_revocations')).toBe(before.revocations);

    oidc.clock.advance(335 * DAY);
    await sweep();
    expect(await count('access_revocations')).toBe(0);
  });

  it('deletes in statements of at most TESSERA_HOUSEKEEPING_BATCH rows (1,000 by default) until a batch comes back short', async () => {
    const store = oidc.app.running.app.get(AccessTokenStore);
    const now = oidc.now();
    const expired = Array.from({ length: 2500 }, (_, i) => anAccessToken(`hk-expired-${i}`, { expiresAt: now - 1 - (i % 3600), issuedAt: now - 7200 }));
    const live = Array.from({ length: 20 }, (_, i) => anAccessToken(`hk-live-${i}`, { expiresAt: now + 60 + i, issuedAt: now }));
    const rows = [...expired, ...live];
    for (let i = 0; i < rows.length; i += 250) await Promise.all(rows.slice(i, i + 250).map((t) => store.insert(t)));
    const statements = jest.spyOn(store, 'deleteExpired');
    try {
      const report = await sweep();
      expect(await Promise.all(statements.mock.results.map((r) => r.value))).toEqual([1000, 1000, 500]);
      expect(statements.mock.calls.every(([at, limit]) => at === now && limit === 1000)).toBe(true);
      expect(report).toMatchObject({ deleted: { access_tokens: 2500 }, left: [], failed: [], outcome: 'done' });
    } finally {
      statements.mockRestore();
    }
    for (const t of [expired[0], expired[2499]]) expect(await store.find(t.storageKey)).toBeUndefined();
    for (const t of live) expect(await store.find(t.storageKey)).toEqual(t);
  });

  it('runs as a scheduled job: a tick on this replica runs the sweep', async () => {
    const hk = oidc.app.running.app.get(HousekeepingService);
    const sweeps = jest.spyOn(hk, 'sweep');
    try {
      expect(await hk.tick()).toBe('done');
      expect(sweeps).toHaveBeenCalledTimes(1);
    } finally {
      sweeps.mockRestore();
    }
  });
});

// Where there are PostgreSQL and Redis (CI sets both), two replicas share the housekeeping.
if (canRunReplicas()) replicasSuite();
