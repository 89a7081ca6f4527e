import { decodeJwt } from 'jose';
import { FakeClock, testEngines } from '@tessera/test-kit';
import { INVALID_REFRESH_TOKEN } from '../../src/grants/refresh-token.grant';
import { GrantStore } from '../../src/ports/grant.store';
import { ACTIVITY_RESOLUTION_SECONDS } from '../../src/ports/op-session.store';
import { startTokenService, type TestApp } from '../support/token-service-app';
import {
  BILLING_API,
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
  type CodeOptions,
  type JsonBody,
  type TestClient,
} from './grants.fixture';

const OFFLINE = ['openid', 'offline_access', 'orders:read', 'orders:write'];

/** RFC 6749 §6 with rotation and reuse detection (RFC 9700 §4.14.2), and the per-client grace period. */
describe.each(testEngines())('refresh_token grant (%s)', (engine) => {
  let app: TestApp;
  const clock = new FakeClock();
  const nowSeconds = () => Math.floor(clock.now() / 1000);
  let confidential: TestClient;
  let jwtClient: TestClient;
  let publicClient: TestClient;
  let graceful: TestClient;

  beforeAll(async () => {
    app = await startTokenService({ engine, clock: clock.now });
    for (const identifier of [ORDERS_API, BILLING_API]) {
      expect((await app.internal('POST', '/internal/resource-servers', { identifier })).status).toBe(201);
    }
    confidential = await codeClient(app);
    jwtClient = await codeClient(app, { access_token_format: 'jwt', default_audience: [ORDERS_API] });
    publicClient = await codeClient(app, { token_endpoint_auth_method: 'none' });
    graceful = await codeClient(app, { refresh_token_grace_period: 30, access_token_format: 'jwt', default_audience: [ORDERS_API] });
  });
  afterAll(() => app?.close());

  /** Runs a code flow with offline_access and returns its tokens. */
  async function tokensFor(client: TestClient, options: CodeOptions = {}): Promise<JsonBody & { refresh_token: string }> {
    const body = await redeemOk(app, client, await issueCode(app, clock, client, { scope: OFFLINE, ...options }));
    if (!body.refresh_token) throw new Error('no refresh token issued');
    return body as JsonBody & { refresh_token: string };
  }

  describe('rotation', () => {
    it('answers a new access token and a new refresh token, no-store; the new one works in turn', async () => {
      const first = await tokensFor(confidential);

      const res = await refresh(app, confidential, first.refresh_token);

      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      const second = await json(res);
      expect(second).toEqual({
        access_token: expect.stringMatching(/^tsr_at_/),
        token_type: 'Bearer',
        expires_in: 3600,
        scope: OFFLINE.join(' '),
        refresh_token: expect.stringMatching(/^tsr_rt_[A-Za-z0-9_-]{43}$/),
        // OpenID Connect Core §12.2: a refresh of an openid grant answers a new ID token.
        id_token: expect.any(String),
      });
      expect(second.refresh_token).not.toBe(first.refresh_token);
      expect(second.access_token).not.toBe(first.access_token);
      expect(await isActive(app, confidential, second.access_token)).toBe(true);
      const third = await refreshOk(app, confidential, second.refresh_token as string);
      expect(third.refresh_token).not.toBe(second.refresh_token);
    });

    it('keeps the successor in the family, with the grant\'s subject, scope and resources, and a fresh lifetime', async () => {
      const first = await tokensFor(confidential, { resource: [ORDERS_API] });
      const before = await storedRefreshToken(app, first.refresh_token);
      clock.advance(100);

      const second = await refreshOk(app, confidential, first.refresh_token);

      expect(await storedRefreshToken(app, second.refresh_token as string)).toMatchObject({
        familyId: before?.familyId,
        grantId: before?.grantId,
        sub: before?.sub,
        scope: OFFLINE,
        resource: [ORDERS_API],
        issuedAt: nowSeconds(),
        expiresAt: nowSeconds() + 2_592_000,
      });
      expect((await storedRefreshToken(app, first.refresh_token))?.consumedAt).toBe(nowSeconds());
    });

    it('lets a public client refresh with its client_id alone', async () => {
      const first = await tokensFor(publicClient);

      const second = await refreshOk(app, publicClient, first.refresh_token);

      expect(second.refresh_token).toMatch(/^tsr_rt_/);
    });

    it('records the use on the grant', async () => {
      const first = await tokensFor(confidential);
      const grantId = (await storedRefreshToken(app, first.refresh_token))?.grantId as string;
      // A use is written to the minute: one later than that since the grant was given.
      clock.advance(ACTIVITY_RESOLUTION_SECONDS + 1);

      await refreshOk(app, confidential, first.refresh_token);

      expect((await app.running.app.get(GrantStore).find(grantId))?.lastUsedAt).toBe(nowSeconds());
    });
  });

  describe('reuse', () => {
    it.each([
      ['reference', () => confidential],
      ['JWT', () => jwtClient],
    ])('refuses a rotated-out token and revokes the whole family: the successor and every access token (%s)', async (_format, client) => {
      const first = await tokensFor(client());
      const second = await refreshOk(app, client(), first.refresh_token);

      const body = await expectError(await refresh(app, client(), first.refresh_token), 'invalid_grant');

      expect(body.error_description).toBe(INVALID_REFRESH_TOKEN);
      await expectError(await refresh(app, client(), second.refresh_token as string), 'invalid_grant');
      expect(await isActive(app, client(), second.access_token)).toBe(false);
      expect(await isActive(app, client(), first.access_token)).toBe(false);
      expect(await isActive(app, client(), second.refresh_token as string)).toBe(false);
    });

    it('leaves other families of the same user and client alone', async () => {
      const a = await tokensFor(confidential);
      const b = await tokensFor(confidential);
      await refreshOk(app, confidential, a.refresh_token);

      await expectError(await refresh(app, confidential, a.refresh_token), 'invalid_grant');

      expect(await isActive(app, confidential, b.access_token)).toBe(true);
      await refreshOk(app, confidential, b.refresh_token);
    });

    it('lets exactly one of two concurrent uses rotate; without a grace period the other is reuse', async () => {
      const first = await tokensFor(confidential);

      const responses = await Promise.all([refresh(app, confidential, first.refresh_token), refresh(app, confidential, first.refresh_token)]);

      expect(responses.map((r) => r.status).sort()).toEqual([200, 400]);
      const winner = await json(responses.find((r) => r.status === 200) as Response);
      await expectError(await refresh(app, confidential, winner.refresh_token as string), 'invalid_grant');
    });
  });

  describe('grace period (refresh_token_grace_period)', () => {
    it('answers a retry within the window with the same successor and a fresh access token', async () => {
      const first = await tokensFor(graceful);
      const second = await refreshOk(app, graceful, first.refresh_token);
      clock.advance(10);

      const retry = await refreshOk(app, graceful, first.refresh_token);

      expect(retry.refresh_token).toBe(second.refresh_token);
      expect(retry.access_token).not.toBe(second.access_token);
      expect(await isActive(app, graceful, retry.access_token)).toBe(true);
      // The successor is the one that works on: it rotates normally.
      const third = await refreshOk(app, graceful, retry.refresh_token as string);
      expect(third.refresh_token).not.toBe(second.refresh_token);
    });

    it('answers two concurrent uses with the same successor', async () => {
      const first = await tokensFor(graceful);

      const bodies = await Promise.all([refreshOk(app, graceful, first.refresh_token), refreshOk(app, graceful, first.refresh_token)]);

      expect(bodies[0].refresh_token).toBe(bodies[1].refresh_token);
      await refreshOk(app, graceful, bodies[0].refresh_token as string);
    });

    it('treats a retry after the window as reuse, revoking the family', async () => {
      const first = await tokensFor(graceful);
      const second = await refreshOk(app, graceful, first.refresh_token);
      clock.advance(31);

      await expectError(await refresh(app, graceful, first.refresh_token), 'invalid_grant');

      await expectError(await refresh(app, graceful, second.refresh_token as string), 'invalid_grant');
      expect(await isActive(app, graceful, second.access_token)).toBe(false);
    });

    it('treats a retry as reuse once the successor was used: the client has moved on', async () => {
      const first = await tokensFor(graceful);
      const second = await refreshOk(app, graceful, first.refresh_token);
      const third = await refreshOk(app, graceful, second.refresh_token as string);

      await expectError(await refresh(app, graceful, first.refresh_token), 'invalid_grant');

      await expectError(await refresh(app, graceful, third.refresh_token as string), 'invalid_grant');
    });

    it('keeps the family revocable: a later reuse also kills the retry\'s access token, and the earlier answer\'s JWT is superseded', async () => {
      const first = await tokensFor(graceful);
      const second = await refreshOk(app, graceful, first.refresh_token);
      const retry = await refreshOk(app, graceful, first.refresh_token);
      expect(await isActive(app, graceful, second.access_token)).toBe(false);
      expect(await isActive(app, graceful, retry.access_token)).toBe(true);
      await refreshOk(app, graceful, retry.refresh_token as string);
      clock.advance(31);

      await expectError(await refresh(app, graceful, first.refresh_token), 'invalid_grant');

      expect(await isActive(app, graceful, retry.access_token)).toBe(false);
    });

    it('is off by default: a client without one gets reuse detection at once', async () => {
      const first = await tokensFor(confidential);
      await refreshOk(app, confidential, first.refresh_token);

      await expectError(await refresh(app, confidential, first.refresh_token), 'invalid_grant');
    });
  });

  describe('scope and resources (RFC 6749 §6, RFC 8707 §2.2)', () => {
    it('narrows the access token\'s scope on request, while the new refresh token keeps the scope granted', async () => {
      const first = await tokensFor(confidential);

      const narrowed = await refreshOk(app, confidential, first.refresh_token, { scope: 'orders:read' });

      expect(narrowed.scope).toBe('orders:read');
      expect((await introspect(app, confidential, narrowed.access_token)).scope).toBe('orders:read');
      const next = await refreshOk(app, confidential, narrowed.refresh_token as string);
      expect(next.scope).toBe(OFFLINE.join(' '));
    });

    it('refuses a scope beyond the one granted (invalid_scope, naming it), and the token stays usable', async () => {
      const first = await tokensFor(confidential, { scope: ['offline_access', 'orders:read'] });

      const body = await expectError(await refresh(app, confidential, first.refresh_token, { scope: 'orders:read orders:write' }), 'invalid_scope');

      expect(body.scope).toBe('orders:write');
      await refreshOk(app, confidential, first.refresh_token);
    });

    it('narrows the audience to a resource of the grant, and refuses one outside it (invalid_target)', async () => {
      const first = await tokensFor(jwtClient, { resource: [ORDERS_API, BILLING_API] });

      const narrowed = await refreshOk(app, jwtClient, first.refresh_token, { resource: BILLING_API });
      expect(decodeJwt(narrowed.access_token).aud).toBe(BILLING_API);

      const onlyOrders = await tokensFor(jwtClient, { resource: [ORDERS_API] });
      await expectError(await refresh(app, jwtClient, onlyOrders.refresh_token, { resource: BILLING_API }), 'invalid_target');
      await refreshOk(app, jwtClient, onlyOrders.refresh_token);
    });
  });

  describe('tokens that cannot be used', () => {
    it('refuses a request without refresh_token (invalid_request)', async () => {
      await expectError(await refresh(app, confidential, ''), 'invalid_request');
    });

    it('refuses an unknown refresh token', async () => {
      const body = await expectError(await refresh(app, confidential, 'tsr_rt_unknown'), 'invalid_grant');
      expect(body.error_description).toBe(INVALID_REFRESH_TOKEN);
    });

    it('refuses another client\'s refresh token with the same answer, without revoking it', async () => {
      const first = await tokensFor(confidential);

      const body = await expectError(await refresh(app, jwtClient, first.refresh_token), 'invalid_grant');

      expect(body.error_description).toBe(INVALID_REFRESH_TOKEN);
      await refreshOk(app, confidential, first.refresh_token);
    });

    it('refuses an expired refresh token', async () => {
      const shortLived = await codeClient(app, { refresh_token_ttl: 60 });
      const first = await tokensFor(shortLived);
      clock.advance(61);

      await expectError(await refresh(app, shortLived, first.refresh_token), 'invalid_grant');
    });

    it('refuses a refresh token whose grant was revoked', async () => {
      const first = await tokensFor(confidential);
      const grantId = (await storedRefreshToken(app, first.refresh_token))?.grantId as string;

      await app.running.app.get(GrantStore).markRevoked(grantId, nowSeconds());

      await expectError(await refresh(app, confidential, first.refresh_token), 'invalid_grant');
    });

    it('refuses the refresh tokens of a client whose access was revoked (revoke all)', async () => {
      const first = await tokensFor(confidential);
      clock.advance(1);

      expect((await app.internal('POST', `/internal/clients/${confidential.client_id}/revoke`)).status).toBe(201);

      await expectError(await refresh(app, confidential, first.refresh_token), 'invalid_grant');
      expect((await storedRefreshToken(app, first.refresh_token))?.revokedAt).toBe(nowSeconds());
      clock.advance(1);
      const after = await tokensFor(confidential);
      await refreshOk(app, confidential, after.refresh_token);
    });

    it('refuses a client no longer trusted with refresh tokens (unauthorized_client)', async () => {
      const client = await codeClient(app);
      const first = await tokensFor(client);
      const updated = await app.internal('PUT', `/internal/clients/${client.client_id}`, {
        grant_types: ['authorization_code', 'refresh_token'],
        redirect_uris: ['https://app.test/callback'],
        refresh_tokens: false,
      });
      expect(updated.status).toBe(200);

      await expectError(await refresh(app, client, first.refresh_token), 'unauthorized_client');
    });
  });
});
