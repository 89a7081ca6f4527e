import { locationOf, testEngines } from '@tessera/test-kit';
import {
  callbackOf,
  formPostParams,
  isInteraction,
  leftHalfSha256,
  Oidc,
  profileOf,
  type Json,
  type OidcClient,
} from './support';

const ALL_RESPONSE_TYPES = [
  'code',
  'id_token',
  'id_token token',
  'code id_token',
  'code token',
  'code id_token token',
];

/**
 * OpenID Connect Core §3.2 (implicit) and §3.3 (hybrid), OAuth 2.0 Multiple Response Type
 * Encoding Practices (fragment by default, never query for tokens), Form Post Response Mode.
 */
describe.each(testEngines())('implicit and hybrid flows (%s)', (engine) => {
  let oidc: Oidc;
  let client: OidcClient;
  let codeOnly: OidcClient;

  beforeAll(async () => {
    oidc = await Oidc.start(engine);
    client = await oidc.client({
      grant_types: ['authorization_code', 'implicit', 'refresh_token'],
      response_types: ALL_RESPONSE_TYPES,
    });
    codeOnly = await oidc.client();
  });
  afterAll(() => oidc?.close());

  const flow = (params: Record<string, string>, sub = oidc.newUser(), grantScope?: string[]) =>
    oidc
      .signIn(oidc.browser(), client, { nonce: 'n-implicit', ...params }, { sub }, grantScope)
      .then((res) => ({ res, sub }));

  describe('response_type=id_token', () => {
    it('redirects 303 with id_token, state and iss in the fragment, and nothing else', async () => {
      const { res, sub } = await flow({
        response_type: 'id_token',
        scope: 'openid profile email',
        state: 'st-idt',
      });
      expect(res.status).toBe(303);
      const location = locationOf(res);
      expect(location.startsWith(`${client.redirect}#`)).toBe(true);
      const { mode, params } = callbackOf(res);
      expect(mode).toBe('fragment');
      expect(Object.keys(params).sort()).toEqual(['id_token', 'iss', 'state']);
      expect(params).toMatchObject({ state: 'st-idt', iss: oidc.app.issuer });
      const idToken = await oidc.idToken(params['id_token'], client);
      expect(idToken).toMatchObject({ sub, nonce: 'n-implicit' });
      expect(idToken).not.toHaveProperty('at_hash');
      expect(idToken).not.toHaveProperty('c_hash');
    });

    it('carries the claims of the granted scopes in the ID token, since no access token is issued (§5.4)', async () => {
      const { res, sub } = await flow({ response_type: 'id_token', scope: 'openid profile email' });
      const idToken = await oidc.idToken(callbackOf(res).params['id_token'], client);
      expect(idToken).toMatchObject({
        name: `Ada ${sub}`,
        given_name: 'Ada',
        email: `${sub}@example.com`,
        email_verified: true,
      });
    });

    it('leaves out the claims of a scope the user declined', async () => {
      const { res, sub } = await flow(
        { response_type: 'id_token', scope: 'openid profile email' },
        undefined,
        ['openid', 'profile'],
      );
      const idToken = await oidc.idToken(callbackOf(res).params['id_token'], client);
      expect(idToken['name']).toBe(`Ada ${sub}`);
      expect(idToken).not.toHaveProperty('email');
    });
  });

  it('response_type=id_token token: an access token in the fragment, at_hash in the ID token, the scope claims left to UserInfo', async () => {
    const { res, sub } = await flow({
      response_type: 'id_token token',
      scope: 'openid profile offline_access',
    });
    expect(res.headers.get('cache-control')).toBe('no-store');
    const { mode, params } = callbackOf(res);
    expect(mode).toBe('fragment');
    expect(params).toMatchObject({
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: '3600',
      state: 'st-1',
      iss: oidc.app.issuer,
    });
    // Never a refresh token or a code from the authorization endpoint here.
    expect(params).not.toHaveProperty('refresh_token');
    expect(params).not.toHaveProperty('code');
    const idToken = await oidc.idToken(params['id_token'], client);
    expect(idToken['at_hash']).toBe(leftHalfSha256(params['access_token']));
    expect(idToken).not.toHaveProperty('name');
    const info = (await (await oidc.userinfo(params['access_token'])).json()) as Json;
    expect(info).toMatchObject({ sub, name: profileOf(sub)['name'] });
  });

  it('response_type=code id_token: code and ID token with c_hash; the code redeems for tokens about the same user', async () => {
    const { res, sub } = await flow({ response_type: 'code id_token', scope: 'openid email' });
    const { mode, params } = callbackOf(res);
    expect(mode).toBe('fragment');
    expect(params).not.toHaveProperty('access_token');
    const front = await oidc.idToken(params['id_token'], client);
    expect(front['c_hash']).toBe(leftHalfSha256(params['code']));
    expect(front).not.toHaveProperty('at_hash');
    const tokens = await oidc.redeem(client, params['code']);
    const back = await oidc.idToken(tokens.id_token, client);
    // §3.3.3.6: iss and sub the same in both, and the nonce is carried to the token endpoint's ID token.
    expect(back).toMatchObject({
      iss: front.iss,
      sub,
      nonce: 'n-implicit',
      at_hash: leftHalfSha256(tokens.access_token),
    });
    expect(front.sub).toBe(sub);
  });

  it('response_type=code token: code and access token in the fragment, and a nonce is not required', async () => {
    const { res } = await flow({ response_type: 'code token', scope: 'openid', nonce: '' });
    const { mode, params } = callbackOf(res);
    expect(mode).toBe('fragment');
    expect(params).toMatchObject({
      code: expect.any(String),
      access_token: expect.any(String),
      token_type: 'Bearer',
    });
    expect(params).not.toHaveProperty('id_token');
    const tokens = await oidc.redeem(client, params['code']);
    expect(tokens.access_token).not.toBe(params['access_token']);
  });

  it('response_type=code id_token token: c_hash and at_hash both', async () => {
    const { res } = await flow({ response_type: 'code id_token token', scope: 'openid' });
    const { params } = callbackOf(res);
    const idToken = await oidc.idToken(params['id_token'], client);
    expect(idToken).toMatchObject({
      c_hash: leftHalfSha256(params['code']),
      at_hash: leftHalfSha256(params['access_token']),
    });
  });

  it.each([
    ['token id_token', ['access_token', 'id_token']],
    ['id_token code', ['code', 'id_token']],
    ['token id_token code', ['access_token', 'code', 'id_token']],
  ])('accepts the words of "%s" in any order', async (responseType, expected) => {
    const { res } = await flow({ response_type: responseType, scope: 'openid' });
    const { params } = callbackOf(res);
    for (const member of expected)
      expect({ member, present: member in params }).toEqual({ member, present: true });
  });

  it('delivers a hybrid response by form_post when asked', async () => {
    const { res } = await flow({
      response_type: 'code id_token',
      scope: 'openid',
      response_mode: 'form_post',
      state: 'st-fp',
    });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain(`action="${client.redirect}"`);
    const params = formPostParams(html);
    expect(params).toMatchObject({
      code: expect.any(String),
      id_token: expect.any(String),
      state: 'st-fp',
      iss: oidc.app.issuer,
    });
    expect((await oidc.idToken(params['id_token'], client))['c_hash']).toBe(leftHalfSha256(params['code']));
  });

  describe('refused requests', () => {
    const refuse = (c: OidcClient, params: Record<string, string>) =>
      oidc.authorize(oidc.browser(), c, { state: 'st-err', ...params });

    it.each(['id_token', 'id_token token', 'code id_token', 'code id_token token'])(
      'refuses "%s" without a nonce: invalid_request in the fragment',
      async (responseType) => {
        const res = await refuse(client, { response_type: responseType, nonce: '' });
        const { mode, params } = callbackOf(res);
        expect({ mode, ...params }).toMatchObject({
          mode: 'fragment',
          error: 'invalid_request',
          state: 'st-err',
          iss: oidc.app.issuer,
        });
      },
    );

    it('refuses response_mode=query for a response type that returns tokens, and never puts the error in the query', async () => {
      for (const responseType of ['id_token', 'id_token token', 'code id_token', 'code token']) {
        const res = await refuse(client, { response_type: responseType, response_mode: 'query' });
        const { mode, params } = callbackOf(res);
        expect({ responseType, mode, error: params['error'] }).toEqual({
          responseType,
          mode: 'fragment',
          error: 'invalid_request',
        });
      }
    });

    it('answers unauthorized_client to a client not registered for the response type', async () => {
      const res = await refuse(codeOnly, { response_type: 'id_token token' });
      const { mode, params } = callbackOf(res);
      expect({ mode, ...params }).toMatchObject({
        mode: 'fragment',
        error: 'unauthorized_client',
        state: 'st-err',
      });
      expect(params).not.toHaveProperty('access_token');
    });

    it('refuses an ID token without the openid scope', async () => {
      for (const responseType of ['id_token', 'code id_token']) {
        const res = await refuse(client, { response_type: responseType, scope: 'profile' });
        expect(callbackOf(res).params['error']).toBe('invalid_request');
      }
    });

    it('answers prompt=none without a session with login_required in the fragment', async () => {
      const { mode, params } = callbackOf(
        await refuse(client, { response_type: 'id_token token', prompt: 'none' }),
      );
      expect({ mode, ...params }).toMatchObject({
        mode: 'fragment',
        error: 'login_required',
        state: 'st-err',
      });
    });

    it('answers a rejected consent with access_denied in the fragment', async () => {
      const browser = oidc.browser();
      const start = await oidc.authorize(browser, client, {
        response_type: 'id_token',
        scope: 'openid profile',
        state: 'st-rej',
      });
      const consent = await oidc.login(browser, locationOf(start), { sub: oidc.newUser() });
      expect(isInteraction(consent, 'consent')).toBe(true);
      const rejected = await oidc.ui.reject(browser, locationOf(consent), 'consent');
      const { mode, params } = callbackOf(await browser.get(rejected.body['redirect_to'] as string));
      expect({ mode, ...params }).toMatchObject({
        mode: 'fragment',
        error: 'access_denied',
        state: 'st-rej',
      });
      expect(params).not.toHaveProperty('id_token');
    });
  });

  describe('registration', () => {
    it('lets only an administrator enable implicit, and only with https redirect URIs', async () => {
      const http = await oidc.app.internal('POST', '/internal/clients', {
        grant_types: ['implicit'],
        response_types: ['id_token'],
        redirect_uris: ['http://localhost:3000/cb'],
        allowed_scopes: ['openid'],
      });
      expect(http.status).toBe(400);
      const dynamic = await fetch(`${oidc.app.url}/oauth2/register`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${oidc.app.registrationToken}`,
        },
        body: JSON.stringify({
          grant_types: ['implicit'],
          response_types: ['id_token'],
          redirect_uris: [client.redirect],
        }),
      });
      expect(dynamic.status).toBe(400);
      expect(((await dynamic.json()) as Json)['error']).toBe('invalid_client_metadata');
    });

    it('serves an implicit-only client (grant_types implicit) with response_type=id_token', async () => {
      const implicitOnly = await oidc.client({ grant_types: ['implicit'], response_types: ['id_token'] });
      const res = await oidc.signIn(
        oidc.browser(),
        implicitOnly,
        { response_type: 'id_token', scope: 'openid' },
        { sub: oidc.newUser() },
      );
      expect(callbackOf(res).params['id_token']).toEqual(expect.any(String));
      const code = await oidc.authorize(oidc.browser(), implicitOnly, { response_type: 'code' });
      expect(callbackOf(code).params['error']).toBe('unauthorized_client');
    });
  });
});
