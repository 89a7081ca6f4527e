/**
 * OpenID Connect Dynamic Client Registration §2 `default_acr_values`: registered with the client
 * (dynamically or by an administrator), returned in its metadata, and asked for by every
 * authorization request that names no acr, so that the login challenge the authentication
 * service reads carries the client's policy (an administrator requiring MFA for a client).
 */
import { locationOf, testEngines, type TestBrowser } from '@tessera/test-kit';
import { register, registration } from '../registration/registration.fixture';
import { callbackOf, isInteraction, Oidc, REDIRECT, type OidcClient } from '../oidc/support';

const ACR_PWD = 'urn:tessera:acr:pwd';
const ACR_MFA = 'urn:tessera:acr:mfa';

describe.each(testEngines())('default_acr_values (OpenID Connect Registration §2) (%s)', (engine) => {
  let oidc: Oidc;
  /** An administrator requires MFA for this client. */
  let mfaClient: OidcClient;
  /** A client without an acr policy. */
  let plainClient: OidcClient;

  beforeAll(async () => {
    oidc = await Oidc.start(engine);
    mfaClient = await oidc.client({ default_acr_values: [ACR_MFA], first_party: true });
    plainClient = await oidc.client({ first_party: true });
  });
  afterAll(() => oidc?.close());

  /** The login challenge an authorization request leads to, as the authentication service reads it. */
  async function loginChallenge(client: OidcClient, params: Record<string, string> = {}, browser = oidc.browser()) {
    const res = await oidc.authorize(browser, client, params);
    expect(isInteraction(res, 'login')).toBe(true);
    const read = await oidc.ui.read(oidc.ui.challengeOf(locationOf(res), 'login'));
    expect(read.status).toBe(200);
    return read.body;
  }

  describe('client metadata', () => {
    it('an administrator sets it through the internal API; the client metadata returns it', async () => {
      const created = await oidc.app.internal('POST', '/internal/clients', {
        grant_types: ['authorization_code'],
        redirect_uris: [REDIRECT],
        allowed_scopes: ['openid'],
        default_acr_values: [ACR_MFA],
      });
      expect(created.status).toBe(201);
      expect(created.body['default_acr_values']).toEqual([ACR_MFA]);
      const id = created.body['client_id'] as string;
      expect((await oidc.app.internal('GET', `/internal/clients/${id}`)).body['default_acr_values']).toEqual([ACR_MFA]);

      // PUT replaces the metadata: a new policy, then none.
      const both = await oidc.app.internal('PUT', `/internal/clients/${id}`, {
        grant_types: ['authorization_code'],
        redirect_uris: [REDIRECT],
        allowed_scopes: ['openid'],
        default_acr_values: [ACR_PWD, ACR_MFA],
      });
      expect(both.body['default_acr_values']).toEqual([ACR_PWD, ACR_MFA]);
      const none = await oidc.app.internal('PUT', `/internal/clients/${id}`, { grant_types: ['authorization_code'], redirect_uris: [REDIRECT], allowed_scopes: ['openid'] });
      expect(none.status).toBe(200);
      expect(none.body).not.toHaveProperty('default_acr_values');
    });

    it('a client registers it dynamically (RFC 7591); registration and the configuration endpoint return it', async () => {
      const res = await register(oidc.app, { redirect_uris: [REDIRECT], scope: 'openid', default_acr_values: [ACR_MFA] }, oidc.app.registrationToken);
      expect(res.status).toBe(201);
      expect(res.body['default_acr_values']).toEqual([ACR_MFA]);
      const path = new URL(res.body['registration_client_uri'] as string).pathname;
      const read = await registration(oidc.app, 'GET', path, { token: res.body['registration_access_token'] as string });
      expect(read.body['default_acr_values']).toEqual([ACR_MFA]);
    });

    it('is absent from the metadata of a client that registered none, or an empty list', async () => {
      const res = await register(oidc.app, { redirect_uris: [REDIRECT], default_acr_values: [] }, oidc.app.registrationToken);
      expect(res.status).toBe(201);
      expect(res.body).not.toHaveProperty('default_acr_values');
    });

    it.each([
      ['a value this server does not support', ['urn:example:acr:gold']],
      ['a supported value beside an unsupported one', [ACR_MFA, 'urn:tessera:acr:MFA']],
      ['a string instead of an array', ACR_MFA],
      ['an array of non-strings', [1]],
      ['an object', { acr: ACR_MFA }],
    ])('refuses %s: invalid_client_metadata, in registration and in the internal API', async (_, value) => {
      const dynamic = await register(oidc.app, { redirect_uris: [REDIRECT], default_acr_values: value }, oidc.app.registrationToken);
      expect(dynamic.status).toBe(400);
      expect(dynamic.body['error']).toBe('invalid_client_metadata');
      const managed = await oidc.app.internal('POST', '/internal/clients', { grant_types: ['authorization_code'], redirect_uris: [REDIRECT], default_acr_values: value });
      expect(managed.status).toBe(400);
      expect(managed.body['error']).toBe('invalid_client_metadata');
      expect(managed.body['error_description']).toMatch(/default_acr_values/);
    });

    it('names the supported values when it refuses one', async () => {
      const res = await register(oidc.app, { redirect_uris: [REDIRECT], default_acr_values: ['urn:example:acr:gold'] }, oidc.app.registrationToken);
      expect(res.body['error_description']).toContain(ACR_PWD);
      expect(res.body['error_description']).toContain(ACR_MFA);
    });

    it('uses values discovery lists', async () => {
      const doc = (await (await fetch(`${oidc.app.url}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
      expect(doc['acr_values_supported']).toEqual([ACR_PWD, ACR_MFA]);
    });
  });

  describe('the authorization endpoint', () => {
    it('asks for the client default when the request names no acr: the login challenge carries it', async () => {
      expect((await loginChallenge(mfaClient))['acr_values']).toEqual([ACR_MFA]);
    });

    it('asks for nothing for a client without a default', async () => {
      expect(await loginChallenge(plainClient)).not.toHaveProperty('acr_values');
    });

    it('lets acr_values in the request override the default (Registration §2)', async () => {
      expect((await loginChallenge(mfaClient, { acr_values: ACR_PWD }))['acr_values']).toEqual([ACR_PWD]);
    });

    it('lets an acr claim request override the default (Registration §2)', async () => {
      const claims = JSON.stringify({ id_token: { acr: { values: [ACR_PWD] } } });
      expect((await loginChallenge(mfaClient, { claims }))['acr_values']).toEqual([ACR_PWD]);
    });

    it('applies it without openid too: leaving out a scope does not get around the policy', async () => {
      expect((await loginChallenge(mfaClient, { scope: 'orders:read', nonce: '' }))['acr_values']).toEqual([ACR_MFA]);
    });

    it('applies it to a pushed authorization request (RFC 9126)', async () => {
      const pushed = await oidc.app.form(
        '/oauth2/par',
        { response_type: 'code', redirect_uri: REDIRECT, scope: 'openid', nonce: 'n-par' },
        { authorization: mfaClient.basic },
      );
      expect(pushed.status).toBe(201);
      const { request_uri } = (await pushed.json()) as { request_uri: string };
      const browser = oidc.browser();
      const res = await browser.get(`${oidc.app.url}/oauth2/authorize?${new URLSearchParams({ client_id: mfaClient.client_id, request_uri })}`);
      expect(isInteraction(res, 'login')).toBe(true);
      const read = await oidc.ui.read(oidc.ui.challengeOf(locationOf(res), 'login'));
      expect(read.body['acr_values']).toEqual([ACR_MFA]);
    });
  });

  describe('step-up against an existing OP session', () => {
    /** A browser signed in with a password only, at the client without a policy. */
    async function passwordSession(): Promise<{ browser: TestBrowser; sub: string }> {
      const browser = oidc.browser();
      const sub = oidc.newUser();
      const res = await oidc.signIn(browser, plainClient, {}, { sub, amr: ['pwd'] });
      expect(callbackOf(res).params['code']).toEqual(expect.any(String));
      return { browser, sub };
    }

    it('a password-only session does not satisfy the MFA client: a new login is asked, carrying the policy', async () => {
      const { browser, sub } = await passwordSession();
      // The client without a policy gets its code with no round trip...
      expect(callbackOf(await oidc.authorize(browser, plainClient)).params['code']).toEqual(expect.any(String));
      // ...the MFA client sends the browser to log in again.
      const challenge = await loginChallenge(mfaClient, {}, browser);
      expect(challenge).toMatchObject({ acr_values: [ACR_MFA], subject: sub });
    });

    it('prompt=none cannot step up: login_required goes back to the client', async () => {
      const { browser } = await passwordSession();
      const res = await oidc.authorize(browser, mfaClient, { prompt: 'none' });
      expect(callbackOf(res).params).toMatchObject({ error: 'login_required', state: 'st-1' });
    });

    it('after an MFA login the ID token says so, and the session then satisfies the policy without a round trip', async () => {
      const browser = oidc.browser();
      const sub = oidc.newUser();
      const start = await oidc.authorize(browser, mfaClient);
      const res = await oidc.login(browser, locationOf(start), { sub, amr: ['pwd', 'otp'], acr: ACR_MFA });
      const tokens = await oidc.redeem(mfaClient, callbackOf(res).params['code']);
      expect(await oidc.idToken(tokens.id_token, mfaClient)).toMatchObject({ sub, acr: ACR_MFA });

      const again = await oidc.authorize(browser, mfaClient);
      expect(callbackOf(again).params['code']).toEqual(expect.any(String));
    });
  });

  describe('mfa_policy: required', () => {
    it('asks for MFA whatever the request says: acr_values cannot lower the policy', async () => {
      const strict = await oidc.client({ mfa_policy: 'required', first_party: true });
      expect((await loginChallenge(strict))['acr_values']).toEqual([ACR_MFA]);
      expect((await loginChallenge(strict, { acr_values: ACR_PWD }))['acr_values']).toEqual([ACR_MFA]);
    });
  });
});
