import { randomUUID } from 'node:crypto';
import { testEngines } from '@tessera/test-kit';
import { HousekeepingService } from '../../src/housekeeping.service';
import { BackchannelDeliveryStore } from '../../src/ports/backchannel-delivery.store';
import { aRevocation, dataSourceOf, requestRevocation, settled } from '../revocation/access-revocation.fixture';
import { Oidc } from '../oidc/support';

const DAY = 86_400;

/** Tables stay bounded: what nobody can use any more goes at the housekeeping sweep, and what still counts stays. */
describe.each(testEngines())('housekeeping (%s)', (engine) => {
  let oidc: Oidc;

  beforeAll(async () => {
    oidc = await Oidc.start(engine);
  });
  afterAll(() => oidc?.close());

  const count = async (table: string) => Number(((await dataSourceOf(oidc.app).query(`SELECT COUNT(*) AS n FROM "${table}"`)) as Array<{ n: string | number }>)[0].n);
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

    const before = { sessions: await count('op_sessions'), deliveries: await count('backchannel_deliveries'), iats: await count('initial_access_tokens'), revocations: await count('access_revocations') };
    await sweep();
    expect({ sessions: await count('op_sessions'), deliveries: await count('backchannel_deliveries'), iats: await count('initial_access_tokens'), revocations: await count('access_revocations') }).toEqual(before);

    oidc.clock.advance(31 * DAY);
    await sweep();
    expect(await count('op_sessions')).toBe(0); // 14 days at most
    expect(await count('backchannel_deliveries')).toBe(1); // the one still retrying
    expect(await count('initial_access_tokens')).toBe(1); // the one without expiry, never revoked
    expect(await count('access_revocations')).toBe(before.revocations);

    oidc.clock.advance(335 * DAY);
    await sweep();
    expect(await count('access_revocations')).toBe(0);
  });
});
