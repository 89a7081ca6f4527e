import { randomUUID } from 'node:crypto';
import { eventually, FakeClock, testEngines } from '@tessera/test-kit';
import { generateReferenceToken } from '@tessera/token-formats';
import { ClientsService } from '../../src/clients/clients.service';
import { AccessTokenStore } from '../../src/ports/access-token.store';
import { GrantStore } from '../../src/ports/grant.store';
import { AccessTokensService } from '../../src/tokens/access-tokens.service';
import { startTokenService, type TestApp } from '../support/token-service-app';
import { consumed, isActive, outboxRows, publish, json } from './events.fixture';

/** The token service's events: what it emits through its outbox, and what it does with what it consumes. */
describe.each(testEngines())('events (%s)', (engine) => {
  let app: TestApp;
  const clock = new FakeClock();
  const nowSeconds = () => Math.floor(clock.now() / 1000);
  beforeAll(async () => {
    app = await startTokenService({ engine, clock: clock.now });
  });
  afterAll(() => app?.close());

  const tokenFor = async (basic: string) => {
    const res = await app.form('/oauth2/token', { grant_type: 'client_credentials' }, { authorization: basic });
    return (await json(res)).access_token as string;
  };

  it('writes client.created to the outbox, and the relay marks it published', async () => {
    const c = await app.client();
    await eventually(async () => {
      const rows = await outboxRows(app, 'client.created', c.client_id);
      expect(rows).toHaveLength(1);
      expect(rows[0].publishedAt).not.toBeNull();
    });
  });

  it('writes client.revoked (with the revocation instant) when all access is revoked; the relay publishes it and the token service consumes it', async () => {
    const c = await app.client();
    const res = await app.internal('POST', `/internal/clients/${c.client_id}/revoke`);
    expect(res.status).toBe(201);
    const [row] = await outboxRows(app, 'client.revoked', c.client_id);
    expect(JSON.parse(row.payload)).toEqual({ clientId: c.client_id, revokedAt: new Date(nowSeconds() * 1000).toISOString() });
    await consumed(app, row.id);
  });

  it('does not let a late client.revoked delivery revoke tokens issued after the revocation', async () => {
    const c = await app.client();
    await app.internal('POST', `/internal/clients/${c.client_id}/revoke`);
    const [first] = await outboxRows(app, 'client.revoked', c.client_id);
    await consumed(app, first.id);
    const revokedAt = JSON.parse(first.payload).revokedAt as string;

    clock.advance(1);
    const issuedAfter = await tokenFor(c.basic);
    expect(await isActive(app, c.basic, issuedAfter)).toBe(true);
    // The same revocation, delivered late (a queue outage, a retry after backoff).
    const late = await publish(app, 'client.revoked', { clientId: c.client_id, revokedAt });
    await consumed(app, late);
    expect(await isActive(app, c.basic, issuedAfter)).toBe(true);
  });

  describe('grant.revoked', () => {
    const insertGrant = async (clientId: string, sub: string) => {
      const id = randomUUID();
      await app.running.app.get(GrantStore).insert({ id, sub, clientId, scopes: ['orders:read'], remember: true, createdAt: nowSeconds() });
      return id;
    };
    const insertReferenceToken = async (clientId: string, sub: string, grantId: string) => {
      const token = generateReferenceToken('access_token');
      await app.running.app.get(AccessTokenStore).insert({
        storageKey: token.storageKey,
        jti: randomUUID(),
        clientId,
        sub,
        scope: 'orders:read',
        audience: [],
        grantId,
        issuedAt: nowSeconds(),
        expiresAt: nowSeconds() + 3600,
      });
      return token;
    };

    it('marks the grant revoked and deletes its reference tokens, leaving other grants alone', async () => {
      const c = await app.client();
      const grantId = await insertGrant(c.client_id, 'user-1');
      const otherGrantId = await insertGrant(c.client_id, 'user-2');
      const token = await insertReferenceToken(c.client_id, 'user-1', grantId);
      const otherToken = await insertReferenceToken(c.client_id, 'user-2', otherGrantId);
      expect(await isActive(app, c.basic, token.value)).toBe(true);

      const revokedAt = new Date(clock.now()).toISOString();
      const eventId = await publish(app, 'grant.revoked', { grantId, sub: 'user-1', clientId: c.client_id, revokedAt });
      await consumed(app, eventId);

      const grants = app.running.app.get(GrantStore);
      expect(await grants.find(grantId)).toMatchObject({ id: grantId, revokedAt: nowSeconds() });
      expect((await grants.find(otherGrantId))?.revokedAt).toBeUndefined();
      const tokens = app.running.app.get(AccessTokenStore);
      expect(await tokens.find(token.storageKey)).toBeUndefined();
      expect(await tokens.find(otherToken.storageKey)).toBeDefined();
      expect(await isActive(app, c.basic, token.value)).toBe(false);
      expect(await isActive(app, c.basic, otherToken.value)).toBe(true);
    });

    it('makes the JWT access tokens of that user and client issued before the revocation inactive, not later ones', async () => {
      const api = 'https://api.test/events';
      const c = await app.client({ access_token_format: 'jwt', default_audience: [api] });
      const grantId = await insertGrant(c.client_id, 'user-3');
      // No grant issues user tokens yet (authorization_code comes next): issue them as that grant would.
      const client = await app.running.app.get(ClientsService).get(c.client_id);
      const issue = async () =>
        (await app.running.app.get(AccessTokensService).issue({ client, sub: 'user-3', scope: ['orders:read'], audience: [api], grantId })).value;
      const before = await issue();
      expect(before.split('.')).toHaveLength(3);
      expect(await isActive(app, c.basic, before)).toBe(true);

      const eventId = await publish(app, 'grant.revoked', { grantId, sub: 'user-3', clientId: c.client_id, revokedAt: new Date(clock.now()).toISOString() });
      await consumed(app, eventId);
      expect(await isActive(app, c.basic, before)).toBe(false);

      clock.advance(1);
      const after = await issue();
      expect(await isActive(app, c.basic, after)).toBe(true);
    });

    it('is idempotent: the same revocation delivered again changes nothing', async () => {
      const c = await app.client();
      const grantId = await insertGrant(c.client_id, 'user-4');
      const revokedAt = new Date(clock.now()).toISOString();
      await consumed(app, await publish(app, 'grant.revoked', { grantId, sub: 'user-4', clientId: c.client_id, revokedAt }));
      const first = await app.running.app.get(GrantStore).find(grantId);
      clock.advance(30);
      await consumed(app, await publish(app, 'grant.revoked', { grantId, sub: 'user-4', clientId: c.client_id, revokedAt: new Date(clock.now()).toISOString() }));
      expect(await app.running.app.get(GrantStore).find(grantId)).toEqual(first);
    });
  });
});
