import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { locationOf, startTlsTestServer, testEngines, type TlsTestServer } from '@tessera/test-kit';
import { callbackOf, headerAlg, isInteraction, REDIRECT, type Json, type Oidc, type OidcClient } from '../oidc/support';
import { dynamicClient, registerDynamically, startOidcWithOutbound, tokenError, validIdToken } from './support';

const NONCE = 'n-0S6_WzA2Mj';
const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** An RSA key pair of the relying party, the public half as a JWK with a kid (GenerateRS256ClientJWKsWithKeyID). */
async function rpKey(kid = `rp-${randomBytes(4).toString('hex')}`) {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  return { kid, privateKey, jwks: { keys: [jwk] } };
}
type RpKey = Awaited<ReturnType<typeof rpKey>>;

/**
 * The modules of the conformance suite's Dynamic OP plan that Tessera passes: clients registered
 * at the registration endpoint (with the initial access token) authenticating with
 * private_key_jwt, as the plan's variant does, against a token service whose outbound client
 * reaches a loopback TLS server standing in for the suite's jwks_uri, request_uri and sector
 * documents. The modules Tessera does not pass are in docs/conformance.md.
 */
describe.each(testEngines())('conformance-suite Dynamic OP (%s)', (engine) => {
  let tls: TlsTestServer;
  let oidc: Oidc;

  beforeAll(async () => {
    tls = await startTlsTestServer();
    oidc = await startOidcWithOutbound(engine, tls);
  });
  afterAll(async () => {
    await oidc?.close();
    await tls?.close();
  });

  /** The registration request OIDCCCreateDynamicClientRegistrationRequest makes for response_type=code, plus `extra`. */
  const suiteRegistration = (key: RpKey | undefined, extra: Json = {}): Json => ({
    client_name: `conformance ${randomBytes(3).toString('hex')}`,
    grant_types: ['authorization_code'],
    response_types: ['code'],
    redirect_uris: [REDIRECT],
    contacts: ['certification@oidf.example.com'],
    ...(key ? { token_endpoint_auth_method: 'private_key_jwt', jwks: key.jwks } : {}),
    ...extra,
  });

  const assertion = (client: OidcClient, key: RpKey, aud = `${oidc.app.issuer}/oauth2/token`) =>
    new SignJWT({ jti: randomBytes(12).toString('base64url') })
      .setProtectedHeader({ alg: 'RS256', kid: key.kid })
      .setIssuer(client.client_id)
      .setSubject(client.client_id)
      .setAudience(aud)
      .setIssuedAt(oidc.now())
      .setExpirationTime(oidc.now() + 60)
      .sign(key.privateKey);

  /** A token request authenticated with private_key_jwt. */
  const tokenRequest = async (client: OidcClient, key: RpKey, params: Record<string, string>, aud?: string) =>
    oidc.app.form('/oauth2/token', {
      ...params,
      client_id: client.client_id,
      client_assertion_type: ASSERTION_TYPE,
      client_assertion: await assertion(client, key, aud),
    });

  async function codeFor(client: OidcClient, params: Record<string, string> = {}): Promise<string> {
    const res = await oidc.signIn(oidc.browser(), client, params, { sub: oidc.newUser() });
    const code = callbackOf(res).params['code'];
    if (!code) throw new Error(`no code: ${JSON.stringify(callbackOf(res).params)}`);
    return code;
  }

  const redeem = (client: OidcClient, key: RpKey, code: string, aud?: string) =>
    tokenRequest(client, key, { grant_type: 'authorization_code', code, redirect_uri: client.redirect }, aud);

  it('oidcc-server: a client registered at the registration endpoint with jwks signs in and redeems with private_key_jwt', async () => {
    const key = await rpKey();
    const client = await dynamicClient(oidc, suiteRegistration(key));
    const res = await redeem(client, key, await codeFor(client));
    expect(res.status).toBe(200);
    const tokens = (await res.json()) as Json & { access_token: string; id_token: string };
    await validIdToken(oidc, client, tokens.id_token, NONCE);
    expect((await oidc.userinfo(tokens.access_token)).status).toBe(200);
  });

  it('oidcc-ensure-client-assertion-with-iss-aud-succeeds: a client assertion whose aud is the issuer is accepted', async () => {
    const key = await rpKey();
    const client = await dynamicClient(oidc, suiteRegistration(key));
    const res = await redeem(client, key, await codeFor(client), oidc.app.issuer);
    expect(res.status).toBe(200);
  });

  it('oidcc-idtoken-rs256: a client registered for RS256 ID tokens gets them, with a kid', async () => {
    const key = await rpKey();
    const client = await dynamicClient(oidc, suiteRegistration(key, { id_token_signed_response_alg: 'RS256' }));
    const tokens = (await (await redeem(client, key, await codeFor(client))).json()) as Json & { id_token: string };
    expect(headerAlg(tokens.id_token)).toBe('RS256');
    await validIdToken(oidc, client, tokens.id_token, NONCE);
  });

  it('oidcc-userinfo-rs256: a client registered for RS256 UserInfo gets a signed application/jwt answer, without nonce', async () => {
    const doc = (await (await fetch(`${oidc.app.url}/.well-known/openid-configuration`)).json()) as Json;
    expect(doc['userinfo_signing_alg_values_supported']).toContain('RS256');
    const key = await rpKey();
    const client = await dynamicClient(oidc, suiteRegistration(key, { userinfo_signed_response_alg: 'RS256' }));
    const tokens = (await (await redeem(client, key, await codeFor(client))).json()) as Json & { access_token: string; id_token: string };
    const res = await oidc.userinfo(tokens.access_token);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/jwt/);
    const { payload, protectedHeader } = await oidc.verify(await res.text(), client.client_id);
    expect(protectedHeader.alg).toBe('RS256');
    expect(payload).toMatchObject({ iss: oidc.app.issuer, sub: (await validIdToken(oidc, client, tokens.id_token)).sub });
    expect(payload).not.toHaveProperty('nonce');
  });

  describe('redirect URIs with a query component', () => {
    const withQuery = `${REDIRECT}?foo=bar`;

    it('oidcc-redirect-uri-query-OK: a registered redirect_uri with a query is used as registered, its query kept', async () => {
      const client = await dynamicClient(oidc, suiteRegistration(undefined, { redirect_uris: [withQuery] }));
      const res = await oidc.signIn(oidc.browser(), client, {}, { sub: oidc.newUser() });
      const location = new URL(locationOf(res));
      expect(`${location.origin}${location.pathname}`).toBe(REDIRECT);
      expect(location.searchParams.get('foo')).toBe('bar');
      expect(location.searchParams.get('code')).toEqual(expect.any(String));
    });

    it('oidcc-redirect-uri-query-mismatch: another query than the registered one gets an error page', async () => {
      const client = await dynamicClient(oidc, suiteRegistration(undefined, { redirect_uris: [withQuery] }));
      const res = await oidc.authorize(oidc.browser(), client, { redirect_uri: `${REDIRECT}?foo=baz` });
      expect(res.status).toBe(400);
      expect(res.headers.get('location')).toBeNull();
    });

    it('oidcc-redirect-uri-query-added: a query added to a redirect_uri registered without one gets an error page', async () => {
      const client = await dynamicClient(oidc, suiteRegistration(undefined));
      const res = await oidc.authorize(oidc.browser(), client, { redirect_uri: withQuery });
      expect(res.status).toBe(400);
      expect(res.headers.get('location')).toBeNull();
    });
  });

  it('oidcc-redirect-uri-regfrag: a registration whose redirect_uri has a fragment is refused with invalid_redirect_uri', async () => {
    const res = await registerDynamically(oidc, suiteRegistration(undefined, { redirect_uris: [`${REDIRECT}#fragment`] }));
    expect({ status: res.status, error: res.body['error'] }).toEqual({ status: 400, error: 'invalid_redirect_uri' });
  });

  it.each([
    ['oidcc-registration-logo-uri', 'logo_uri', 'https://rp.example.com/logo.png'],
    ['oidcc-registration-policy-uri', 'policy_uri', 'https://rp.example.com/policy.html'],
    ['oidcc-registration-tos-uri', 'tos_uri', 'https://rp.example.com/tos.html'],
  ])('%s: the registered %s is handed to the login page', async (_module, member, uri) => {
    const client = await dynamicClient(oidc, suiteRegistration(undefined, { [member]: uri }));
    const res = await oidc.authorize(oidc.browser(), client);
    expect(isInteraction(res, 'login')).toBe(true);
    const info = await oidc.ui.read(oidc.ui.challengeOf(locationOf(res), 'login'));
    expect((info.body['client'] as Json)[member]).toBe(uri);
  });

  it('oidcc-registration-jwks-uri: a client registered with a jwks_uri authenticates with a key published there', async () => {
    const key = await rpKey();
    const path = `/rp/${key.kid}/jwks.json`;
    tls.route(path, { body: key.jwks });
    const { jwks: _inline, ...registration } = suiteRegistration(key, { jwks_uri: `${tls.url}${path}` });
    const client = await dynamicClient(oidc, registration);
    expect(client.registered['jwks_uri']).toBe(`${tls.url}${path}`);
    const res = await redeem(client, key, await codeFor(client));
    expect(res.status).toBe(200);
    await validIdToken(oidc, client, ((await res.json()) as Json)['id_token'] as string, NONCE);
  });

  it('oidcc-refresh-token-rp-key-rotation: a refresh authenticated with a key the client rotated into its jwks_uri succeeds', async () => {
    const first = await rpKey();
    const path = `/rp/${first.kid}/rotating.json`;
    tls.route(path, { body: first.jwks });
    const { jwks: _inline, ...registration } = suiteRegistration(first, {
      jwks_uri: `${tls.url}${path}`,
      grant_types: ['authorization_code', 'refresh_token'],
      scope: 'openid offline_access',
    });
    const client = await dynamicClient(oidc, registration);
    const code = await codeFor(client, { scope: 'openid offline_access', prompt: 'consent' });
    const tokens = (await (await redeem(client, first, code)).json()) as Json & { refresh_token: string };
    expect(tokens.refresh_token).toEqual(expect.any(String));

    const second = await rpKey();
    tls.route(path, { body: second.jwks });
    oidc.clock.advance(60);
    const res = await tokenRequest(client, second, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token, scope: 'openid offline_access' });
    expect(res.status).toBe(200);
    await validIdToken(oidc, client, ((await res.json()) as Json)['id_token'] as string);
  });

  describe('pairwise sectors', () => {
    it('oidcc-registration-sector-uri: a pairwise client whose sector document lists its redirect URI is registered', async () => {
      tls.route('/sector/good.json', { body: [REDIRECT, 'https://rp2.example.com/cb'] });
      const res = await registerDynamically(
        oidc,
        suiteRegistration(undefined, { subject_type: 'pairwise', sector_identifier_uri: `${tls.url}/sector/good.json` }),
      );
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ subject_type: 'pairwise', sector_identifier_uri: `${tls.url}/sector/good.json` });
    });

    it('oidcc-registration-sector-bad: one whose sector document leaves its redirect URI out is refused, 400 invalid_client_metadata as JSON', async () => {
      tls.route('/sector/bad.json', { body: ['https://rp2.example.com/cb'] });
      const res = await fetch(`${oidc.app.url}/oauth2/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${oidc.app.registrationToken}` },
        body: JSON.stringify(suiteRegistration(undefined, { subject_type: 'pairwise', sector_identifier_uri: `${tls.url}/sector/bad.json` })),
      });
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(((await res.json()) as Json)['error']).toBe('invalid_client_metadata');
    });
  });

  it('oidcc-server-rotate-keys: after a rotation the JWKS has a new signing key and keeps the old one, and ID tokens use the new one', async () => {
    const jwks = async () => ((await (await fetch(`${oidc.app.url}/oauth2/jwks`)).json()) as { keys: Json[] }).keys;
    const key = await rpKey();
    const client = await dynamicClient(oidc, suiteRegistration(key));
    const before = await jwks();
    const signedBefore = (await (await redeem(client, key, await codeFor(client))).json()) as Json & { id_token: string };
    // RS256 only: the suite's VerifyNewJwksHasNewSigningKey knows RSA and EC keys, not OKP (EdDSA).
    const rotated = await oidc.app.internal('POST', '/internal/keys/rotate', { alg: 'RS256' });
    expect(rotated.status).toBe(201);
    const after = await jwks();
    const kidsBefore = new Set(before.map((k) => k['kid']));
    const modulusBefore = new Set(before.map((k) => k['n']));
    const fresh = after.filter((k) => !kidsBefore.has(k['kid']));
    expect(fresh.length).toBeGreaterThan(0);
    for (const k of fresh) expect(modulusBefore.has(k['n'])).toBe(false);
    expect(after.map((k) => k['kid'])).toEqual(expect.arrayContaining([...kidsBefore]));

    const signedAfter = (await (await redeem(client, key, await codeFor(client))).json()) as Json & { id_token: string };
    const kidOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[0], 'base64url').toString())['kid'];
    expect(kidOf(signedAfter.id_token)).not.toBe(kidOf(signedBefore.id_token));
    expect(kidOf(signedAfter.id_token)).toBe((rotated.body['rotated'] as Json[])[0]['kid']);
    await validIdToken(oidc, client, signedAfter.id_token, NONCE);
    await validIdToken(oidc, client, signedBefore.id_token, NONCE);
  });

  describe('request_uri', () => {
    const requestPath = (name: string) => `/requests/${name}-${randomBytes(4).toString('hex')}.jwt`;

    it('oidcc-request-uri-signed-rs256: an RS256-signed request object at a registered request_uri is used', async () => {
      const key = await rpKey();
      const path = requestPath('signed');
      const client = await dynamicClient(
        oidc,
        suiteRegistration(key, { request_uris: [`${tls.url}${path}`], request_object_signing_alg: 'RS256' }),
      );
      const object = await new SignJWT({
        client_id: client.client_id,
        response_type: 'code',
        redirect_uri: client.redirect,
        scope: 'openid',
        state: 'st-by-reference',
        nonce: NONCE,
      })
        .setProtectedHeader({ alg: 'RS256', kid: key.kid })
        .setIssuer(client.client_id)
        .setAudience(oidc.app.issuer)
        .sign(key.privateKey);
      tls.route(path, { headers: { 'content-type': 'application/jwt' }, body: object });
      const browser = oidc.browser();
      const start = await browser.get(
        `${oidc.app.url}/oauth2/authorize?${new URLSearchParams({ client_id: client.client_id, request_uri: `${tls.url}${path}`, response_type: 'code', scope: 'openid' })}`,
      );
      let res = await oidc.login(browser, locationOf(start), { sub: oidc.newUser() });
      if (isInteraction(res, 'consent')) res = await oidc.consent(browser, locationOf(res));
      const { params } = callbackOf(res);
      expect(params['state']).toBe('st-by-reference');
      const tokens = (await (await redeem(client, key, params['code'])).json()) as Json & { id_token: string };
      await validIdToken(oidc, client, tokens.id_token, NONCE);
    });

    it('refuses an unsigned request object at a registered request_uri (oidcc-request-uri-unsigned expects it to be used)', async () => {
      const key = await rpKey();
      const path = requestPath('unsigned');
      const client = await dynamicClient(oidc, suiteRegistration(key, { request_uris: [`${tls.url}${path}`] }));
      const claims = { client_id: client.client_id, response_type: 'code', redirect_uri: client.redirect, scope: 'openid', nonce: NONCE };
      const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`;
      tls.route(path, { headers: { 'content-type': 'application/jwt' }, body: unsigned });
      const res = await oidc.authorize(oidc.browser(), client, { request_uri: `${tls.url}${path}`, state: 'st-unsigned' });
      expect(callbackOf(res).params).toMatchObject({ error: 'invalid_request_object', state: 'st-unsigned' });
    });
  });

  it('oidcc-refresh-token: a dynamically registered client refreshes; another client cannot use its refresh token', async () => {
    const key = await rpKey();
    const registration = suiteRegistration(key, { grant_types: ['authorization_code', 'refresh_token'], scope: 'openid offline_access' });
    const client = await dynamicClient(oidc, registration);
    const other = await dynamicClient(oidc, suiteRegistration(key, { grant_types: ['authorization_code', 'refresh_token'], scope: 'openid offline_access' }));
    const code = await codeFor(client, { scope: 'openid offline_access', prompt: 'consent' });
    const tokens = (await (await redeem(client, key, code)).json()) as Json & { refresh_token: string };
    const refreshed = await tokenRequest(client, key, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
    expect(refreshed.status).toBe(200);
    const { refresh_token } = (await refreshed.json()) as { refresh_token: string };
    const stolen = await tokenRequest(other, key, { grant_type: 'refresh_token', refresh_token });
    expect((await tokenError(stolen))['error']).toBe('invalid_grant');
  });
});
