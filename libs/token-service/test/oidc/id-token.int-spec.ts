import { createHash } from 'node:crypto';
import { decodeJwt } from 'jose';
import { locationOf, testEngines } from '@tessera/test-kit';
import { callbackOf, headerAlg, leftHalfSha256, Oidc, type OidcClient } from './support';

const ACR_PWD = 'urn:tessera:acr:pwd';
const ACR_MFA = 'urn:tessera:acr:mfa';

/** OpenID Connect Core §2, §3.1.3.3, §3.1.3.6, §12.2: ID tokens from the code flow and from a refresh. */
describe.each(testEngines())('ID tokens (%s)', (engine) => {
  let oidc: Oidc;
  let client: OidcClient;

  beforeAll(async () => {
    oidc = await Oidc.start(engine);
    client = await oidc.client();
  });
  afterAll(() => oidc?.close());

  it('answers an openid code flow with an RS256 ID token that verifies with the JWKS and carries every required claim', async () => {
    const sub = oidc.newUser();
    const authTime = oidc.now() - 30;
    const tokens = await oidc.codeFlow(client, { sub, authTime }, { nonce: 'nonce-abc' });
    expect(headerAlg(tokens.id_token as string)).toBe('RS256');
    const claims = await oidc.idToken(tokens.id_token, client);
    expect(claims).toMatchObject({
      iss: oidc.app.issuer,
      sub,
      auth_time: authTime,
      nonce: 'nonce-abc',
      acr: ACR_PWD,
      amr: ['pwd'],
      sid: expect.any(String),
    });
    expect([claims.aud].flat()).toEqual([client.client_id]);
    expect(claims.iat).toBe(oidc.now());
    expect(claims.exp).toBeGreaterThan(claims.iat as number);
    // §3.1.3.6: the left-most half of the SHA-256 of the access token issued with it.
    expect(claims['at_hash']).toBe(leftHalfSha256(tokens.access_token));
    // No user claims in a code-flow ID token unless asked for: they are for UserInfo (§5.4).
    expect(claims).not.toHaveProperty('email');
    expect(claims).not.toHaveProperty('name');
  });

  it('gives no ID token without the openid scope', async () => {
    const sub = oidc.newUser();
    const tokens = await oidc.codeFlow(client, { sub }, { scope: 'orders:read' });
    expect(tokens.access_token).toEqual(expect.any(String));
    expect(tokens).not.toHaveProperty('id_token');
  });

  it('keeps two logins of the same user apart: each ID token has its own sid', async () => {
    const sub = oidc.newUser();
    const first = await oidc.idToken((await oidc.codeFlow(client, { sub })).id_token, client);
    const second = await oidc.idToken((await oidc.codeFlow(client, { sub })).id_token, client);
    expect(first['sid']).not.toBe(second['sid']);
  });

  it.each(['ES256', 'PS256', 'EdDSA'] as const)(
    'signs with %s when the client registered id_token_signed_response_alg',
    async (alg) => {
      const signed = await oidc.client({ id_token_signed_response_alg: alg });
      const tokens = await oidc.codeFlow(signed, { sub: oidc.newUser() });
      expect(headerAlg(tokens.id_token as string)).toBe(alg);
      const claims = await oidc.idToken(tokens.id_token, signed);
      expect(claims.sub).toEqual(expect.any(String));
      // EdDSA names no hash: Ed25519's own SHA-512, as the OpenID conformance suite computes it.
      const expected =
        alg === 'EdDSA'
          ? createHash('sha512').update(tokens.access_token).digest().subarray(0, 32).toString('base64url')
          : leftHalfSha256(tokens.access_token);
      expect(claims['at_hash']).toBe(expected);
    },
  );

  it('refuses an ID token to a relying party that checks the audience of another client', async () => {
    const other = await oidc.client();
    const tokens = await oidc.codeFlow(client, { sub: oidc.newUser() });
    await expect(oidc.verify(tokens.id_token as string, other.client_id)).rejects.toThrow(/aud/);
  });

  describe('acr and amr', () => {
    it('says mfa when the login used a second factor (amr otp or mfa)', async () => {
      for (const amr of [
        ['pwd', 'otp'],
        ['pwd', 'mfa'],
      ]) {
        const claims = await oidc.idToken(
          (await oidc.codeFlow(client, { sub: oidc.newUser(), amr })).id_token,
          client,
        );
        expect({ acr: claims['acr'], amr: claims['amr'] }).toEqual({ acr: ACR_MFA, amr });
      }
    });

    it('keeps the acr the authentication service stated', async () => {
      const claims = await oidc.idToken(
        (await oidc.codeFlow(client, { sub: oidc.newUser(), acr: ACR_MFA, amr: ['pwd', 'hwk'] })).id_token,
        client,
      );
      expect(claims['acr']).toBe(ACR_MFA);
    });

    it('refuses a login accept with an acr Tessera does not define', async () => {
      const browser = oidc.browser();
      const start = await oidc.authorize(browser, client);
      for (const acr of ['urn:example:loa:4', 'mfa', '']) {
        const res = await oidc.acceptLoginRaw(browser, locationOf(start), {
          sub: oidc.newUser(),
          login_session_id: 'ls-x',
          amr: ['pwd'],
          acr,
          auth_time: oidc.now(),
        });
        expect({ acr, status: res.status, error: res.body['error'] }).toEqual({
          acr,
          status: 400,
          error: 'invalid_request',
        });
      }
      // The challenge was not spent by the refusals.
      const ok = await oidc.acceptLogin(browser, locationOf(start), { sub: oidc.newUser(), acr: ACR_PWD });
      expect(ok.status).toBe(200);
    });
  });

  describe('refresh (§12.2)', () => {
    it('answers a new ID token with the same iss, sub and aud, the original auth_time, acr and amr, and no nonce', async () => {
      const offline = await oidc.client({ first_party: true });
      const sub = oidc.newUser();
      const authTime = oidc.now() - 120;
      const tokens = await oidc.codeFlow(
        offline,
        { sub, authTime, amr: ['pwd', 'otp'] },
        { scope: 'openid offline_access', nonce: 'original-nonce' },
      );
      const original = await oidc.idToken(tokens.id_token, offline);
      expect(original['nonce']).toBe('original-nonce');
      expect(tokens.refresh_token).toEqual(expect.any(String));

      oidc.clock.advance(300);
      const res = await oidc.app.form(
        '/oauth2/token',
        { grant_type: 'refresh_token', refresh_token: tokens.refresh_token as string },
        { authorization: offline.basic },
      );
      const refreshed = (await res.json()) as { id_token?: string; access_token: string };
      expect(res.status).toBe(200);
      const claims = await oidc.idToken(refreshed.id_token, offline);
      expect(claims).toMatchObject({
        iss: original.iss,
        sub: original.sub,
        aud: original.aud,
        auth_time: authTime,
        acr: ACR_MFA,
        amr: ['pwd', 'otp'],
      });
      expect(claims.iat).toBe(oidc.now());
      expect(claims).not.toHaveProperty('nonce');
      expect(claims['at_hash']).toBe(leftHalfSha256(refreshed.access_token));
    });

    it('answers no ID token when the refresh narrows the scope to drop openid', async () => {
      const offline = await oidc.client({ first_party: true });
      const tokens = await oidc.codeFlow(
        offline,
        { sub: oidc.newUser() },
        { scope: 'openid orders:read offline_access' },
      );
      const res = await oidc.app.form(
        '/oauth2/token',
        { grant_type: 'refresh_token', refresh_token: tokens.refresh_token as string, scope: 'orders:read' },
        { authorization: offline.basic },
      );
      const body = (await res.json()) as Record<string, unknown>;
      expect(res.status).toBe(200);
      expect(body['scope']).toBe('orders:read');
      expect(body).not.toHaveProperty('id_token');
    });
  });

  it('echoes no nonce when the request sent none, and the code flow does not require one', async () => {
    const res = await oidc.signIn(oidc.browser(), client, { nonce: '' }, { sub: oidc.newUser() });
    const { params } = callbackOf(res);
    const tokens = await oidc.redeem(client, params['code']);
    expect(decodeJwt(tokens.id_token as string)).not.toHaveProperty('nonce');
  });
});
