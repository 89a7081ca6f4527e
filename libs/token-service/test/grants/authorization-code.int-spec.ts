import { decodeJwt } from 'jose';
import { FakeClock, testEngines } from '@tessera/test-kit';
import { INVALID_CODE } from '../../src/grants/authorization-code.grant';
import type { DataSource } from 'typeorm';
import { TOKEN_SERVICE_DATA_SOURCE } from '../../src/adapters/typeorm/data-source';
import { GrantEntity } from '../../src/adapters/typeorm/entities';
import { AuthorizationCodeStore } from '../../src/ports/authorization-code.store';
import { GrantStore } from '../../src/ports/grant.store';
import { storageKey } from '@tessera/token-formats';
import { startTokenService, type TestApp } from '../support/token-service-app';
import {
  BILLING_API,
  ORDERS_API,
  OTHER_REDIRECT_URI,
  REDIRECT_URI,
  codeClient,
  expectError,
  introspect,
  isActive,
  issueCode,
  json,
  newVerifier,
  redeem,
  redeemOk,
  refresh,
  storedRefreshToken,
  type TestClient,
} from './grants.fixture';

/** RFC 6749 §4.1.3, RFC 7636, RFC 9700 §4.8.2, RFC 8707 at the token endpoint. */
describe.each(testEngines())('authorization_code grant (%s)', (engine) => {
  let app: TestApp;
  const clock = new FakeClock();
  const nowSeconds = () => Math.floor(clock.now() / 1000);
  let confidential: TestClient;
  let jwtClient: TestClient;
  let publicClient: TestClient;

  beforeAll(async () => {
    app = await startTokenService({ engine, clock: clock.now });
    for (const identifier of [ORDERS_API, BILLING_API]) {
      expect((await app.internal('POST', '/internal/resource-servers', { identifier, scopes: ['orders:read', 'orders:write', 'offline_access', 'openid'] })).status).toBe(201);
    }
    confidential = await codeClient(app);
    jwtClient = await codeClient(app, { access_token_format: 'jwt', default_audience: [ORDERS_API] });
    publicClient = await codeClient(app, { token_endpoint_auth_method: 'none' });
  });
  afterAll(() => app?.close());

  describe('redemption', () => {
    it('exchanges a code once for a Bearer access token with the code\'s scope, no-store', async () => {
      const issued = await issueCode(app, clock, confidential, { scope: ['openid', 'orders:read'] });

      const res = await redeem(app, confidential, issued);

      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      const body = await json(res);
      expect(body).toEqual({
        access_token: expect.stringMatching(/^tsr_at_/),
        token_type: 'Bearer',
        expires_in: 3600,
        scope: 'openid orders:read',
        // The openid scope makes it an OpenID Connect authentication: an ID token comes along.
        id_token: expect.stringMatching(/^eyJ[\w-]+\.[\w-]+\.[\w-]+$/),
      });
      expect(await introspect(app, confidential, body.access_token)).toMatchObject({ active: true, sub: issued.sub, client_id: confidential.client_id, scope: 'openid orders:read' });
    });

    it('issues a JWT access token (RFC 9068) to a JWT client, for its default audience', async () => {
      const issued = await issueCode(app, clock, jwtClient);

      const body = await redeemOk(app, jwtClient, issued);

      expect(decodeJwt(body.access_token)).toMatchObject({ sub: issued.sub, client_id: jwtClient.client_id, aud: ORDERS_API, scope: 'openid orders:read' });
    });

    it('records that the grant was used', async () => {
      const issued = await issueCode(app, clock, confidential);
      clock.advance(5);

      await redeemOk(app, confidential, issued);

      expect((await app.running.app.get(GrantStore).find(issued.grantId))?.lastUsedAt).toBe(nowSeconds());
    });

    it('refuses a request without code (invalid_request)', async () => {
      await expectError(await redeem(app, confidential, { code: '', grantId: '', sub: '', redirectUri: REDIRECT_URI }), 'invalid_request');
    });

    it('refuses an unknown code with invalid_grant', async () => {
      const body = await expectError(await redeem(app, confidential, { code: 'tsr_ac_unknown', grantId: '', sub: '', redirectUri: REDIRECT_URI }), 'invalid_grant');
      expect(body.error_description).toBe(INVALID_CODE);
    });

    it('refuses an expired code with the same answer as an unknown one', async () => {
      const issued = await issueCode(app, clock, confidential);
      clock.advance(61);

      const body = await expectError(await redeem(app, confidential, issued), 'invalid_grant');

      expect(body.error_description).toBe(INVALID_CODE);
    });

    it('refuses a code issued to another client with the same answer, and leaves the code to its own client', async () => {
      const other = await codeClient(app);
      const issued = await issueCode(app, clock, confidential);

      const body = await expectError(await redeem(app, other, issued), 'invalid_grant');

      expect(body.error_description).toBe(INVALID_CODE);
      await redeemOk(app, confidential, issued);
    });

    it('refuses a code whose grant was revoked (invalid_grant)', async () => {
      const issued = await issueCode(app, clock, confidential);
      await app.running.app.get(GrantStore).markRevoked(issued.grantId, nowSeconds());

      const body = await expectError(await redeem(app, confidential, issued), 'invalid_grant');

      expect(body.error_description).toBe(INVALID_CODE);
    });

    it('refuses a code whose user is gone from the directory with the same sentence as any unusable code, and spends nothing', async () => {
      // The ID token asks for a claim, so the user directory (which knows nobody here) is asked.
      const issued = await issueCode(app, clock, confidential, { scope: ['openid', 'orders:read'], claims: { id_token: { email: null } } });

      const body = await expectError(await redeem(app, confidential, issued), 'invalid_grant');

      expect(body.error_description).toBe(INVALID_CODE);
      const code = await app.running.app.get(AuthorizationCodeStore).find(storageKey(issued.code));
      expect(code?.consumedAt).toBeUndefined();
    });

    it("refuses a code whose grant is not its user's, and spends nothing (the code works once the grant is theirs again)", async () => {
      const issued = await issueCode(app, clock, confidential);
      const dataSource = app.running.app.get<DataSource>(TOKEN_SERVICE_DATA_SOURCE);
      const setSub = (sub: string) => dataSource.getRepository(GrantEntity).update({ id: issued.grantId }, { sub });
      const owner = (await dataSource.getRepository(GrantEntity).findOneByOrFail({ id: issued.grantId })).sub;
      await setSub('someone-else');

      const body = await expectError(await redeem(app, confidential, issued), 'invalid_grant');

      expect(body.error_description).toBe(INVALID_CODE);
      await setSub(owner);
      await redeemOk(app, confidential, issued);
    });
  });

  describe('replay (RFC 6749 §4.1.2)', () => {
    it.each([
      ['reference', () => confidential],
      ['JWT', () => jwtClient],
    ])('refuses a second redemption with invalid_grant and revokes what the first issued (%s access token)', async (_format, client) => {
      const issued = await issueCode(app, clock, client(), { scope: ['openid', 'offline_access', 'orders:read'] });
      const first = await redeemOk(app, client(), issued);
      expect(first.refresh_token).toMatch(/^tsr_rt_/);
      expect(await isActive(app, client(), first.access_token)).toBe(true);
      expect(await isActive(app, client(), first.refresh_token as string)).toBe(true);

      const replay = await expectError(await redeem(app, client(), issued), 'invalid_grant');

      expect(replay.error_description).toBe(INVALID_CODE);
      expect(await isActive(app, client(), first.access_token)).toBe(false);
      expect(await isActive(app, client(), first.refresh_token as string)).toBe(false);
      await expectError(await refresh(app, client(), first.refresh_token as string), 'invalid_grant');
    });

    it('revokes the JWT access token of a first redemption that issued no refresh token', async () => {
      const issued = await issueCode(app, clock, jwtClient, { scope: ['orders:read'] });
      const first = await redeemOk(app, jwtClient, issued);
      expect(first.refresh_token).toBeUndefined();

      await expectError(await redeem(app, jwtClient, issued), 'invalid_grant');

      expect(await isActive(app, jwtClient, first.access_token)).toBe(false);
    });

    it('revokes the tokens refreshed from the first redemption too (the whole family)', async () => {
      const issued = await issueCode(app, clock, confidential, { scope: ['offline_access', 'orders:read'] });
      const first = await redeemOk(app, confidential, issued);
      const refreshed = await json(await refresh(app, confidential, first.refresh_token as string));
      expect(await isActive(app, confidential, refreshed.access_token)).toBe(true);

      await expectError(await redeem(app, confidential, issued), 'invalid_grant');

      expect(await isActive(app, confidential, refreshed.access_token)).toBe(false);
      expect(await isActive(app, confidential, refreshed.refresh_token as string)).toBe(false);
    });

    it('leaves the tokens of other redemptions of the same grant alone', async () => {
      const a = await issueCode(app, clock, confidential, { scope: ['offline_access', 'orders:read'] });
      const b = await issueCode(app, clock, confidential, { scope: ['offline_access', 'orders:read'], grantId: a.grantId, sub: a.sub });
      const fromA = await redeemOk(app, confidential, a);
      const fromB = await redeemOk(app, confidential, b);

      await expectError(await redeem(app, confidential, a), 'invalid_grant');

      expect(await isActive(app, confidential, fromA.access_token)).toBe(false);
      expect(await isActive(app, confidential, fromB.access_token)).toBe(true);
      expect(await isActive(app, confidential, fromB.refresh_token as string)).toBe(true);
    });

    it('lets exactly one of two concurrent redemptions succeed', async () => {
      const issued = await issueCode(app, clock, confidential);

      const responses = await Promise.all([redeem(app, confidential, issued), redeem(app, confidential, issued)]);

      expect(responses.map((r) => r.status).sort()).toEqual([200, 400]);
      const loser = responses.find((r) => r.status === 400) as Response;
      expect((await json(loser)).error).toBe('invalid_grant');
    });
  });

  describe('redirect_uri (RFC 6749 §4.1.3)', () => {
    it('requires it when the authorization request included it', async () => {
      const issued = await issueCode(app, clock, confidential, { redirectUriSent: true });

      const res = await redeem(app, confidential, issued, { redirect_uri: [] });

      const body = await expectError(res, 'invalid_grant');
      expect(body.error_description).toMatch(/redirect_uri is required/);
    });

    it('refuses one that differs from the authorization request\'s, even if registered too', async () => {
      const issued = await issueCode(app, clock, confidential, { redirectUriSent: true });

      await expectError(await redeem(app, confidential, issued, { redirect_uri: OTHER_REDIRECT_URI }), 'invalid_grant');
      await expectError(await redeem(app, confidential, issued, { redirect_uri: `${REDIRECT_URI}/` }), 'invalid_grant');
      await redeemOk(app, confidential, issued);
    });

    it('may be omitted when the authorization request omitted it, and must then be the registered one the code went to', async () => {
      const omitted = await issueCode(app, clock, confidential, { redirectUriSent: false });
      await redeemOk(app, confidential, omitted, { redirect_uri: [] });

      const sentAnyway = await issueCode(app, clock, confidential, { redirectUriSent: false });
      await expectError(await redeem(app, confidential, sentAnyway, { redirect_uri: OTHER_REDIRECT_URI }), 'invalid_grant');
      await redeemOk(app, confidential, sentAnyway, { redirect_uri: REDIRECT_URI });
    });
  });

  describe('PKCE (RFC 7636) and downgrade protection (RFC 9700 §4.8.2)', () => {
    it('requires the verifier for a code issued with a challenge', async () => {
      const issued = await issueCode(app, clock, confidential);

      const body = await expectError(await redeem(app, confidential, issued, { code_verifier: [] }), 'invalid_grant');

      expect(body.error_description).toMatch(/code_verifier is required/);
    });

    it.each([
      ['another valid verifier', newVerifier()],
      ['a verifier that is too short', 'abc'],
      ['a verifier with characters outside the unreserved set', `${'a'.repeat(42)}+`],
    ])('refuses %s (invalid_grant), and the code stays redeemable with the right one', async (_, verifier) => {
      const issued = await issueCode(app, clock, confidential);

      const body = await expectError(await redeem(app, confidential, issued, { code_verifier: verifier }), 'invalid_grant');

      expect(body.error_description).toMatch(/PKCE verification failed/);
      await redeemOk(app, confidential, issued);
    });

    it('refuses a verifier for a code issued without a challenge (downgrade)', async () => {
      const issued = await issueCode(app, clock, confidential, { verifier: null });

      const body = await expectError(await redeem(app, confidential, issued, { code_verifier: newVerifier() }), 'invalid_grant');

      expect(body.error_description).toMatch(/no code_challenge/);
      await redeemOk(app, confidential, issued);
    });

    it('lets a public client redeem with client_id and the verifier', async () => {
      const issued = await issueCode(app, clock, publicClient);

      const res = await redeem(app, publicClient, issued);

      expect(res.status).toBe(200);
      expect((await json(res)).access_token).toMatch(/^tsr_at_/);
    });

    it('refuses a public client\'s code without the verifier', async () => {
      const issued = await issueCode(app, clock, publicClient);

      await expectError(await redeem(app, publicClient, issued, { code_verifier: [] }), 'invalid_grant');
    });

    it('refuses a code issued without a challenge to a client that must use PKCE', async () => {
      const issued = await issueCode(app, clock, publicClient, { verifier: null });

      await expectError(await redeem(app, publicClient, issued), 'invalid_grant');
    });
  });

  describe('resource indicators (RFC 8707)', () => {
    it('addresses the access token to the code\'s resources, or to the ones the token request narrows to', async () => {
      const all = await issueCode(app, clock, jwtClient, { resource: [ORDERS_API, BILLING_API] });
      expect(decodeJwt((await redeemOk(app, jwtClient, all)).access_token).aud).toEqual([ORDERS_API, BILLING_API]);

      const narrowed = await issueCode(app, clock, jwtClient, { resource: [ORDERS_API, BILLING_API] });
      expect(decodeJwt((await redeemOk(app, jwtClient, narrowed, { resource: BILLING_API })).access_token).aud).toBe(BILLING_API);
    });

    it('refuses a resource the authorization request did not include (invalid_target)', async () => {
      const issued = await issueCode(app, clock, jwtClient, { resource: [ORDERS_API] });

      await expectError(await redeem(app, jwtClient, issued, { resource: [ORDERS_API, BILLING_API] }), 'invalid_target');
      await redeemOk(app, jwtClient, issued, { resource: ORDERS_API });
    });
  });

  describe('refresh tokens at redemption', () => {
    it('issues one with consent to offline_access, to a client trusted with refresh tokens', async () => {
      const issued = await issueCode(app, clock, confidential, { scope: ['openid', 'offline_access'] });
      clock.advance(1);

      const body = await redeemOk(app, confidential, issued);

      expect(body).toEqual({
        access_token: expect.any(String),
        token_type: 'Bearer',
        expires_in: 3600,
        scope: 'openid offline_access',
        refresh_token: expect.stringMatching(/^tsr_rt_[A-Za-z0-9_-]{43}$/),
        id_token: expect.any(String),
      });
      expect(await storedRefreshToken(app, body.refresh_token as string)).toMatchObject({
        clientId: confidential.client_id,
        sub: issued.sub,
        grantId: issued.grantId,
        scope: ['openid', 'offline_access'],
        issuedAt: nowSeconds(),
        expiresAt: nowSeconds() + 2_592_000,
      });
    });

    it('issues none without offline_access', async () => {
      const body = await redeemOk(app, confidential, await issueCode(app, clock, confidential, { scope: ['openid', 'orders:read'] }));

      expect(body.refresh_token).toBeUndefined();
    });

    it('issues one to a first-party client without offline_access (the client\'s policy)', async () => {
      const firstParty = await codeClient(app, { first_party: true });

      const body = await redeemOk(app, firstParty, await issueCode(app, clock, firstParty, { scope: ['openid'] }));

      expect(body.refresh_token).toMatch(/^tsr_rt_/);
    });

    it.each([
      ['not trusted with refresh tokens', { refresh_tokens: false }],
      ['not registered for the refresh_token grant', { grant_types: ['authorization_code'] }],
    ])('issues none to a client %s, even with offline_access', async (_, metadata) => {
      const client = await codeClient(app, metadata);

      const body = await redeemOk(app, client, await issueCode(app, clock, client, { scope: ['offline_access'] }));

      expect(body.refresh_token).toBeUndefined();
    });

    it('issues one to a public client (rotated on every use, RFC 9700 §2.2.2)', async () => {
      const body = await redeemOk(app, publicClient, await issueCode(app, clock, publicClient, { scope: ['offline_access'] }));

      expect(body.refresh_token).toMatch(/^tsr_rt_/);
    });
  });
});
