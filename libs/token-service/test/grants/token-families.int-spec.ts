import type { DataSource } from 'typeorm';
import { OutboxEntity, ProcessedEventEntity, Outbox, inTransaction, type EventName, type EventOf } from '@tessera/events';
import { eventually, FakeClock, testEngines } from '@tessera/test-kit';
import { GrantStore } from '../../src/ports/grant.store';
import { startTokenService, type TestApp } from '../support/token-service-app';
import {
  ORDERS_API,
  codeClient,
  expectError,
  introspect,
  isActive,
  issueCode,
  json,
  redeemOk,
  refresh,
  refreshOk,
  storedRefreshToken,
  type JsonBody,
  type TestClient,
} from './grants.fixture';

const DATA_SOURCE = Symbol.for('tessera.token-service.data-source');

/**
 * Revoking tokens by family, grant, user and client: the revocation endpoint (RFC 7009) on
 * refresh tokens, refresh-token introspection (RFC 7662), and the events that revoke.
 */
describe.each(testEngines())('token families (%s)', (engine) => {
  let app: TestApp;
  const clock = new FakeClock();
  const nowSeconds = () => Math.floor(clock.now() / 1000);
  let reference: TestClient;
  let jwt: TestClient;
  let other: TestClient;

  beforeAll(async () => {
    app = await startTokenService({ engine, clock: clock.now });
    expect((await app.internal('POST', '/internal/resource-servers', { identifier: ORDERS_API })).status).toBe(201);
    reference = await codeClient(app);
    jwt = await codeClient(app, { access_token_format: 'jwt', default_audience: [ORDERS_API] });
    other = await codeClient(app);
  });
  afterAll(() => app?.close());

  async function tokensFor(client: TestClient, sub?: string): Promise<JsonBody & { refresh_token: string; sub: string; grantId: string }> {
    const issued = await issueCode(app, clock, client, { scope: ['openid', 'offline_access', 'orders:read'], sub });
    const body = await redeemOk(app, client, issued);
    if (!body.refresh_token) throw new Error('no refresh token issued');
    return { ...body, refresh_token: body.refresh_token, sub: issued.sub, grantId: issued.grantId };
  }

  const revoke = (client: TestClient, params: Record<string, string>) =>
    app.form('/oauth2/revoke', params, { authorization: client.basic as string });

  /** Writes an event to the outbox in a transaction, as a producer does, and waits until the token service consumed it. */
  async function publishAndConsume<N extends EventName>(name: N, payload: EventOf<N>): Promise<void> {
    const dataSource = app.running.app.get<DataSource>(DATA_SOURCE);
    const outbox = app.running.app.get(Outbox);
    const envelope = await inTransaction(dataSource, (tx) => outbox.add(tx, name, payload));
    await eventually(async () => {
      const row = await dataSource.getRepository(OutboxEntity).findOneByOrFail({ id: envelope.id });
      expect(row.publishedAt).not.toBeNull();
      expect(await dataSource.getRepository(ProcessedEventEntity).countBy({ eventId: envelope.id })).toBe(1);
    });
  }

  describe('revocation endpoint (RFC 7009) on refresh tokens', () => {
    it.each([
      ['reference', () => reference],
      ['JWT', () => jwt],
    ])('revokes the whole family: the refresh token, its predecessors\' successors and the access tokens (%s)', async (_format, client) => {
      const first = await tokensFor(client());
      const second = await refreshOk(app, client(), first.refresh_token);

      const res = await revoke(client(), { token: second.refresh_token as string, token_type_hint: 'refresh_token' });

      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      await expectError(await refresh(app, client(), second.refresh_token as string), 'invalid_grant');
      expect(await isActive(app, client(), second.access_token)).toBe(false);
      expect(await isActive(app, client(), first.access_token)).toBe(false);
    });

    it('finds a refresh token by its prefix without a hint, and despite a wrong one', async () => {
      const a = await tokensFor(reference);
      const b = await tokensFor(reference);

      expect((await revoke(reference, { token: a.refresh_token })).status).toBe(200);
      expect((await revoke(reference, { token: b.refresh_token, token_type_hint: 'access_token' })).status).toBe(200);

      await expectError(await refresh(app, reference, a.refresh_token), 'invalid_grant');
      await expectError(await refresh(app, reference, b.refresh_token), 'invalid_grant');
    });

    it('revokes the family when given a rotated-out refresh token too', async () => {
      const first = await tokensFor(reference);
      const second = await refreshOk(app, reference, first.refresh_token);

      expect((await revoke(reference, { token: first.refresh_token })).status).toBe(200);

      await expectError(await refresh(app, reference, second.refresh_token as string), 'invalid_grant');
    });

    it('leaves the user\'s other families alone', async () => {
      const a = await tokensFor(reference);
      const b = await tokensFor(reference, a.sub);

      await revoke(reference, { token: a.refresh_token });

      expect(await isActive(app, reference, b.access_token)).toBe(true);
      await refreshOk(app, reference, b.refresh_token);
    });

    it('refuses another client\'s refresh token (unauthorized_client), which stays usable', async () => {
      const first = await tokensFor(reference);

      const res = await revoke(other, { token: first.refresh_token });

      expect(res.status).toBe(400);
      expect((await json(res)).error).toBe('unauthorized_client');
      await refreshOk(app, reference, first.refresh_token);
    });

    it('answers 200 for an unknown, an already revoked and an expired refresh token (§2.2)', async () => {
      expect((await revoke(reference, { token: 'tsr_rt_unknown' })).status).toBe(200);
      const first = await tokensFor(reference);
      expect((await revoke(reference, { token: first.refresh_token })).status).toBe(200);
      expect((await revoke(other, { token: first.refresh_token })).status).toBe(200);
      const shortLived = await codeClient(app, { refresh_token_ttl: 60 });
      const expiring = await tokensFor(shortLived);
      clock.advance(61);
      expect((await revoke(other, { token: expiring.refresh_token })).status).toBe(200);
    });
  });

  describe('introspection (RFC 7662) of refresh tokens', () => {
    it('describes a usable refresh token to its client, as a refresh token', async () => {
      const first = await tokensFor(reference);
      const stored = await storedRefreshToken(app, first.refresh_token);

      expect(await introspect(app, reference, first.refresh_token)).toEqual({
        active: true,
        token_type: 'refresh_token',
        scope: 'openid offline_access orders:read',
        client_id: reference.client_id,
        sub: first.sub,
        iss: app.issuer,
        exp: stored?.expiresAt,
        iat: stored?.issuedAt,
      });
    });

    it('answers { active: false } to another client', async () => {
      const first = await tokensFor(reference);

      expect(await introspect(app, other, first.refresh_token)).toEqual({ active: false });
    });

    it('reports a rotated-out, a revoked, an expired and a revoked-grant refresh token inactive', async () => {
      const rotated = await tokensFor(reference);
      const successor = await refreshOk(app, reference, rotated.refresh_token);
      expect(await isActive(app, reference, rotated.refresh_token)).toBe(false);
      expect(await isActive(app, reference, successor.refresh_token as string)).toBe(true);

      const revoked = await tokensFor(reference);
      await revoke(reference, { token: revoked.refresh_token });
      expect(await isActive(app, reference, revoked.refresh_token)).toBe(false);

      const ofRevokedGrant = await tokensFor(reference);
      await app.running.app.get(GrantStore).markRevoked(ofRevokedGrant.grantId, nowSeconds());
      expect(await isActive(app, reference, ofRevokedGrant.refresh_token)).toBe(false);

      const shortLived = await codeClient(app, { refresh_token_ttl: 60 });
      const expiring = await tokensFor(shortLived);
      expect(await isActive(app, shortLived, expiring.refresh_token)).toBe(true);
      clock.advance(60);
      expect(await isActive(app, shortLived, expiring.refresh_token)).toBe(false);
    });
  });

  describe('events', () => {
    it('password.changed revokes every refresh token and access token of that user, across clients, and nobody else\'s', async () => {
      const atReference = await tokensFor(reference);
      const atJwt = await tokensFor(jwt, atReference.sub);
      const someoneElse = await tokensFor(reference);

      await publishAndConsume('password.changed', { sub: atReference.sub });

      await expectError(await refresh(app, reference, atReference.refresh_token), 'invalid_grant');
      await expectError(await refresh(app, jwt, atJwt.refresh_token), 'invalid_grant');
      expect(await isActive(app, reference, atReference.access_token)).toBe(false);
      expect(await isActive(app, jwt, atJwt.access_token)).toBe(false);
      expect(await isActive(app, reference, someoneElse.access_token)).toBe(true);
      await refreshOk(app, reference, someoneElse.refresh_token);
      // The consent stays: only the tokens go.
      expect((await app.running.app.get(GrantStore).find(atReference.grantId))?.revokedAt).toBeUndefined();
    });

    it('user.deleted revokes the user\'s grants as well as their tokens', async () => {
      const atReference = await tokensFor(reference);
      const atJwt = await tokensFor(jwt, atReference.sub);
      const someoneElse = await tokensFor(reference);

      await publishAndConsume('user.deleted', { sub: atReference.sub });

      const grants = app.running.app.get(GrantStore);
      expect((await grants.find(atReference.grantId))?.revokedAt).toBe(nowSeconds());
      expect((await grants.find(atJwt.grantId))?.revokedAt).toBe(nowSeconds());
      expect(await grants.listActiveBySub(atReference.sub)).toEqual([]);
      await expectError(await refresh(app, reference, atReference.refresh_token), 'invalid_grant');
      expect(await isActive(app, reference, atReference.access_token)).toBe(false);
      expect(await isActive(app, jwt, atJwt.access_token)).toBe(false);
      expect((await grants.find(someoneElse.grantId))?.revokedAt).toBeUndefined();
      await refreshOk(app, reference, someoneElse.refresh_token);
    });

    it('grant.revoked revokes the grant\'s refresh tokens and access tokens, not the user\'s other grants', async () => {
      const revoked = await tokensFor(jwt);
      const refreshed = await refreshOk(app, jwt, revoked.refresh_token);
      const kept = await tokensFor(reference, revoked.sub);

      await publishAndConsume('grant.revoked', {
        grantId: revoked.grantId,
        sub: revoked.sub,
        clientId: jwt.client_id,
        revokedAt: new Date(clock.now()).toISOString(),
      });

      expect((await storedRefreshToken(app, refreshed.refresh_token as string))?.revokedAt).toBe(nowSeconds());
      await expectError(await refresh(app, jwt, refreshed.refresh_token as string), 'invalid_grant');
      expect(await isActive(app, jwt, refreshed.access_token)).toBe(false);
      await refreshOk(app, reference, kept.refresh_token);
    });

    it('client.revoked delivered late revokes only the refresh tokens issued before the revocation', async () => {
      const client = await codeClient(app);
      const before = await tokensFor(client);
      const revokedAt = new Date(clock.now()).toISOString();
      clock.advance(1);
      const after = await tokensFor(client);

      await publishAndConsume('client.revoked', { clientId: client.client_id, revokedAt });

      expect((await storedRefreshToken(app, before.refresh_token))?.revokedAt).toBe(nowSeconds() - 1);
      expect((await storedRefreshToken(app, after.refresh_token))?.revokedAt).toBeUndefined();
    });
  });
});
