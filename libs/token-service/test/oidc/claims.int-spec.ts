import { locationOf, testEngines } from '@tessera/test-kit';
import { callbackOf, isInteraction, Oidc, profileOf, type Json, type OidcClient } from './support';

/** OpenID Connect Core §5.5: the claims request parameter, and consent to what it names. */
describe.each(testEngines())('the claims parameter (%s)', (engine) => {
  let oidc: Oidc;
  let client: OidcClient;

  beforeAll(async () => {
    oidc = await Oidc.start(engine);
    client = await oidc.client();
  });
  afterAll(() => oidc?.close());

  const claims = (value: unknown) => JSON.stringify(value);
  const userinfo = async (token: string) => (await (await oidc.userinfo(token)).json()) as Json;

  it('puts an essential email in the ID token with scope openid email, and nothing it was not asked for', async () => {
    const sub = oidc.newUser();
    const tokens = await oidc.codeFlow(
      client,
      { sub },
      { scope: 'openid email', claims: claims({ id_token: { email: { essential: true } } }) },
    );
    const idToken = await oidc.idToken(tokens.id_token, client);
    expect(idToken['email']).toBe(`${sub}@example.com`);
    expect(idToken).not.toHaveProperty('email_verified');
    expect(idToken).not.toHaveProperty('name');
  });

  it('answers a claim asked for UserInfo from UserInfo only, not in the ID token', async () => {
    const sub = oidc.newUser();
    const tokens = await oidc.codeFlow(
      client,
      { sub },
      { scope: 'openid profile', claims: claims({ userinfo: { name: null } }) },
    );
    expect((await userinfo(tokens.access_token))['name']).toBe(`Ada ${sub}`);
    expect(await oidc.idToken(tokens.id_token, client)).not.toHaveProperty('name');
  });

  it('shows individually requested claims at consent, and releases exactly those once consented', async () => {
    const sub = oidc.newUser();
    const browser = oidc.browser();
    const start = await oidc.authorize(browser, client, {
      scope: 'openid',
      claims: claims({ userinfo: { email: null }, id_token: { name: null } }),
    });
    const consent = await oidc.login(browser, locationOf(start), { sub });
    expect(isInteraction(consent, 'consent')).toBe(true);
    const info = await oidc.ui.read(oidc.ui.challengeOf(locationOf(consent), 'consent'));
    expect(info.body['requested_claims']).toEqual({ userinfo: ['email'], id_token: ['name'] });
    const { params } = callbackOf(await oidc.consent(browser, locationOf(consent)));
    const tokens = await oidc.redeem(client, params['code']);
    expect(await userinfo(tokens.access_token)).toEqual({ sub, email: `${sub}@example.com` });
    const idToken = await oidc.idToken(tokens.id_token, client);
    expect(idToken['name']).toBe(`Ada ${sub}`);
    expect(idToken).not.toHaveProperty('email');
  });

  it('ignores claims it does not know', async () => {
    const sub = oidc.newUser({ ...profileOf('x'), shoe_size: 42 });
    const tokens = await oidc.codeFlow(
      client,
      { sub },
      {
        scope: 'openid profile',
        claims: claims({ userinfo: { shoe_size: null }, id_token: { shoe_size: { essential: true } } }),
      },
    );
    expect(await userinfo(tokens.access_token)).not.toHaveProperty('shoe_size');
    expect(await oidc.idToken(tokens.id_token, client)).not.toHaveProperty('shoe_size');
  });

  it('answers the claims_locales language of a claim (§5.2)', async () => {
    const sub = oidc.newUser({ ...profileOf('x'), name: 'Ada Lovelace', 'name#fr': 'Ada Lovelace (fr)' });
    const tokens = await oidc.codeFlow(client, { sub }, { scope: 'openid profile', claims_locales: 'fr en' });
    expect(await userinfo(tokens.access_token)).toMatchObject({
      name: 'Ada Lovelace',
      'name#fr': 'Ada Lovelace (fr)',
    });
  });

  it('keeps the UserInfo claims request for the access tokens of a refresh', async () => {
    const offline = await oidc.client({ first_party: true });
    const sub = oidc.newUser();
    const tokens = await oidc.codeFlow(
      offline,
      { sub },
      { scope: 'openid offline_access', claims: claims({ userinfo: { email: null } }) },
    );
    const res = await oidc.app.form(
      '/oauth2/token',
      { grant_type: 'refresh_token', refresh_token: tokens.refresh_token as string },
      { authorization: offline.basic },
    );
    const refreshed = (await res.json()) as { access_token: string };
    expect(res.status).toBe(200);
    expect(await userinfo(refreshed.access_token)).toEqual({ sub, email: `${sub}@example.com` });
  });

  it.each([
    ['not JSON', '{"id_token": {'],
    ['a JSON array', '[]'],
    ['a member that is not an object', claims({ userinfo: 'email' })],
    ['essential not a boolean', claims({ id_token: { email: { essential: 'yes' } } })],
  ])(
    'redirects a claims parameter that is %s to the client as invalid_request, with state and iss',
    async (_what, value) => {
      const res = await oidc.authorize(oidc.browser(), client, { claims: value, state: 'claims-state' });
      expect(res.status).toBe(303);
      const { target, params } = callbackOf(res);
      expect(target).toBe(client.redirect);
      expect(params).toMatchObject({ error: 'invalid_request', state: 'claims-state', iss: oidc.app.issuer });
    },
  );

  describe('against a remembered grant', () => {
    /** Signs a user in and remembers consent to `scope`; returns the signed-in browser. */
    async function remembered(scope: string) {
      const browser = oidc.browser();
      const sub = oidc.newUser();
      const res = await oidc.signIn(browser, client, { scope }, { sub });
      expect(callbackOf(res).params['code']).toEqual(expect.any(String));
      return { browser, sub };
    }

    it('needs no consent for claims the granted scopes already release', async () => {
      const { browser } = await remembered('openid profile');
      const res = await oidc.authorize(browser, client, {
        scope: 'openid profile',
        claims: claims({ userinfo: { name: null }, id_token: { given_name: null } }),
      });
      expect(callbackOf(res).params['code']).toEqual(expect.any(String));
    });

    it('asks consent again for claims beyond the granted scopes (and prompt=none gets consent_required)', async () => {
      const { browser, sub } = await remembered('openid profile');
      const beyond = { scope: 'openid profile', claims: claims({ userinfo: { email: null } }) };
      const none = await oidc.authorize(browser, client, { ...beyond, prompt: 'none' });
      expect(callbackOf(none).params['error']).toBe('consent_required');
      const res = await oidc.authorize(browser, client, beyond);
      expect(isInteraction(res, 'consent')).toBe(true);
      const { params } = callbackOf(await oidc.consent(browser, locationOf(res)));
      const tokens = await oidc.redeem(client, params['code']);
      expect((await userinfo(tokens.access_token))['email']).toBe(`${sub}@example.com`);
    });

    it('does not let a claim named in the id_token member slip past consent either', async () => {
      const { browser } = await remembered('openid');
      const res = await oidc.authorize(browser, client, {
        scope: 'openid',
        claims: claims({ id_token: { phone_number: { essential: true } } }),
      });
      expect(isInteraction(res, 'consent')).toBe(true);
    });
  });
});
