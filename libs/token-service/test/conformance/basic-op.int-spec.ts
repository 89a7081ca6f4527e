import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { locationOf, testEngines, type TestBrowser } from '@tessera/test-kit';
import { callbackOf, headerAlg, isInteraction, Oidc, REDIRECT, type Json, type OidcClient } from '../oidc/support';
import { dynamicClient, outcomeOf, registerDynamically, validIdToken } from './support';

const NONCE = 'n-0S6_WzA2Mj';

/**
 * The modules of the conformance suite's Basic OP plan that run once rather than per response
 * type: a missing response_type, a POSTed authorization request, the ID token algorithm of a
 * dynamically registered client, and the request-object modules (which the suite skips for an
 * OP that does not list "none" in request_object_signing_alg_values_supported, as Tessera
 * does not: here the skip condition, the refusal, and the signed equivalent are checked).
 */
describe.each(testEngines())('conformance-suite Basic OP, single-run modules (%s)', (engine) => {
  let oidc: Oidc;
  let client: OidcClient;
  let discovery: Json;

  beforeAll(async () => {
    oidc = await Oidc.start(engine);
    client = await oidc.client();
    discovery = (await (await fetch(`${oidc.app.url}/.well-known/openid-configuration`)).json()) as Json;
  });
  afterAll(() => oidc?.close());

  /** Login and consent as the user, from the first response of the authorization endpoint on. */
  async function interact(browser: TestBrowser, res: Response): Promise<Response> {
    let next = res;
    if (isInteraction(next, 'login')) next = await oidc.login(browser, locationOf(next), { sub: oidc.newUser() });
    if (isInteraction(next, 'consent')) next = await oidc.consent(browser, locationOf(next));
    return next;
  }

  it('oidcc-response-type-missing: a request without response_type is answered invalid_request in the query, with state', async () => {
    const res = await oidc.authorize(oidc.browser(), client, { response_type: '', state: 'st-missing' });
    expect(callbackOf(res)).toMatchObject({
      target: client.redirect,
      mode: 'query',
      params: { error: 'invalid_request', state: 'st-missing', iss: oidc.app.issuer },
    });
    expect(callbackOf(res).params).not.toHaveProperty('code');
  });

  it('oidcc-ensure-post-request-succeeds: an authorization request POSTed as a form completes', async () => {
    const browser = oidc.browser();
    const form = new URLSearchParams({
      client_id: client.client_id,
      redirect_uri: client.redirect,
      response_type: 'code',
      scope: 'openid',
      state: 'st-post',
      nonce: NONCE,
    });
    const start = await browser.request(`${oidc.app.issuer}/oauth2/authorize`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    });
    expect(isInteraction(start, 'login')).toBe(true);
    const outcome = await outcomeOf(oidc, client, await interact(browser, start));
    expect(outcome.params['state']).toBe('st-post');
    await validIdToken(oidc, client, outcome.idToken, NONCE);
  });

  it('oidcc-idtoken-signature: a dynamically registered client that names no algorithm gets RS256 ID tokens with a kid', async () => {
    const dynamic = await dynamicClient(oidc, { redirect_uris: [REDIRECT], client_name: 'conformance idtoken-signature' });
    expect(dynamic.registered['id_token_signed_response_alg']).toBe('RS256');
    const tokens = await oidc.codeFlow(dynamic, { sub: oidc.newUser() });
    expect(headerAlg(tokens.id_token as string)).toBe('RS256');
    await validIdToken(oidc, dynamic, tokens.id_token, NONCE);
  });

  it('oidcc-idtoken-unsigned: "none" is not advertised (the suite skips), and a registration asking for it is refused', async () => {
    expect(discovery['id_token_signing_alg_values_supported']).not.toContain('none');
    const res = await registerDynamically(oidc, { redirect_uris: [REDIRECT], id_token_signed_response_alg: 'none' });
    expect({ status: res.status, error: res.body['error'] }).toEqual({ status: 400, error: 'invalid_client_metadata' });
  });

  describe('request objects', () => {
    let signer: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
    let objectClient: OidcClient;

    beforeAll(async () => {
      const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
      signer = privateKey;
      const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'rp-rs256', alg: 'RS256', use: 'sig' };
      objectClient = await oidc.client({ jwks: { keys: [jwk] } });
    });

    const unsigned = (claims: Json) =>
      `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`;
    const signed = (claims: Json) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid: 'rp-rs256' })
        .setIssuer(objectClient.client_id)
        .setAudience(oidc.app.issuer)
        .sign(signer);
    const objectClaims = (state: string) => ({
      client_id: objectClient.client_id,
      response_type: 'code',
      redirect_uri: objectClient.redirect,
      scope: 'openid',
      state,
      nonce: NONCE,
    });

    it.each([
      ['oidcc-request-uri-unsigned-supported-correctly-or-rejected-as-unsupported'],
      ['oidcc-unsigned-request-object-supported-correctly-or-rejected-as-unsupported'],
      ['oidcc-ensure-request-object-with-redirect-uri'],
    ])('%s: skipped by the suite, since request_object_signing_alg_values_supported leaves out "none"', (_module) => {
      expect(discovery['request_object_signing_alg_values_supported']).toEqual(expect.any(Array));
      expect(discovery['request_object_signing_alg_values_supported']).not.toContain('none');
      expect(discovery['request_object_signing_alg_values_supported']).toContain('RS256');
    });

    it('refuses an unsigned request object (what the skipped modules would send) with invalid_request_object', async () => {
      const res = await oidc.authorize(oidc.browser(), objectClient, {
        request: unsigned(objectClaims('st-object')),
        state: 'st-query',
      });
      expect(callbackOf(res)).toMatchObject({
        target: objectClient.redirect,
        params: { error: 'invalid_request_object', state: 'st-query' },
      });
    });

    it('oidcc-ensure-request-object-with-redirect-uri, signed: the redirect_uri of the request object wins over the query\'s', async () => {
      const browser = oidc.browser();
      const url = new URL(`${oidc.app.url}/oauth2/authorize`);
      url.search = new URLSearchParams({
        client_id: objectClient.client_id,
        response_type: 'code',
        scope: 'openid',
        redirect_uri: 'https://rp.example.com/not-registered',
        request: await signed(objectClaims('st-object')),
      }).toString();
      const outcome = await interact(browser, await browser.get(url.toString()));
      const { target, params } = callbackOf(outcome);
      expect(target).toBe(objectClient.redirect);
      expect(params).toMatchObject({ state: 'st-object', code: expect.any(String) });
      const tokens = await oidc.redeem(objectClient, params['code']);
      await validIdToken(oidc, objectClient, tokens.id_token, NONCE);
    });
  });
});
