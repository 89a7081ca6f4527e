import { randomBytes } from 'node:crypto';
import { locationOf, testEngines, type TestBrowser } from '@tessera/test-kit';
import { callbackOf, isInteraction, Oidc, profileOf, type Json, type OidcClient } from '../oidc/support';
import {
  ALL_RESPONSE_TYPES,
  asks,
  clientFor,
  expectHashesMatch,
  outcomeOf,
  shannonBits,
  validIdToken,
  type Outcome,
} from './support';

const NONCE = 'n-0S6_WzA2Mj';

/** The claims each standard scope releases (OpenID Connect Core §5.4), as the scope modules check them. */
const SCOPE_CLAIMS: Record<string, string[]> = {
  profile: ['name', 'given_name', 'family_name', 'preferred_username', 'locale', 'updated_at'],
  email: ['email', 'email_verified'],
  address: ['address'],
  phone: ['phone_number', 'phone_number_verified'],
};

/**
 * The authorization-endpoint modules of the OpenID Foundation conformance suite's Basic OP,
 * Implicit OP and Hybrid OP test plans, each test named after its module and run for every
 * response type of those plans (code; id_token, id_token token; code id_token, code token,
 * code id_token token) with a static client, as docs/conformance.md maps them.
 */
describe.each(testEngines())('conformance-suite authentication requests (%s)', (engine) => {
  let oidc: Oidc;

  beforeAll(async () => {
    oidc = await Oidc.start(engine);
  });
  afterAll(() => oidc?.close());

  describe.each(ALL_RESPONSE_TYPES)('response_type=%s', (responseType) => {
    let client: OidcClient;

    beforeAll(async () => {
      client = await clientFor(oidc, responseType);
    });

    const request = (params: Record<string, string> = {}) => ({ response_type: responseType, ...params });

    /** One whole authentication as the suite's browser and user take it; the outcome the client holds. */
    async function authenticate(
      params: Record<string, string> = {},
      browser = oidc.browser(),
      sub = oidc.newUser(),
    ): Promise<{ browser: TestBrowser; sub: string; outcome: Outcome }> {
      const res = await oidc.signIn(browser, client, request(params), { sub });
      return { browser, sub, outcome: await outcomeOf(oidc, client, res) };
    }

    /** The second authorization of the "same authentication twice" modules: no interaction at all. */
    async function silently(browser: TestBrowser, params: Record<string, string>): Promise<Outcome> {
      const res = await oidc.authorize(browser, client, request(params));
      expect(isInteraction(res, 'login') || isInteraction(res, 'consent')).toBe(false);
      return outcomeOf(oidc, client, res);
    }

    /** The outcome's ID token, validated; `nonce: null` for a request that sent none. */
    const idTokenOf = (outcome: Outcome, nonce: string | null = NONCE) =>
      validIdToken(oidc, client, outcome.idToken, nonce ?? undefined);

    /** The scope modules: the claims of each scope, from UserInfo when there is an access token, else in the ID token. */
    async function releasedClaims(outcome: Outcome): Promise<Json> {
      if (outcome.accessToken) {
        const res = await oidc.userinfo(outcome.accessToken);
        expect(res.status).toBe(200);
        const answer = (await res.json()) as Json;
        expect(answer['sub']).toBe((await idTokenOf(outcome)).sub);
        return answer;
      }
      return idTokenOf(outcome);
    }

    it('oidcc-server: a happy flow answers state, iss, a long random code, a valid ID token with its hashes, and UserInfo', async () => {
      const { sub, outcome } = await authenticate({ state: 'st-server' });
      const { mode, params } = outcome;
      expect(mode).toBe(responseType === 'code' ? 'query' : 'fragment');
      expect(params).toMatchObject({ state: 'st-server', iss: oidc.app.issuer });
      if (asks(responseType, 'code')) {
        expect(Buffer.byteLength(params['code'])).toBeGreaterThanOrEqual(16);
        expect(shannonBits(params['code'])).toBeGreaterThan(96);
        expect(outcome.tokens).toMatchObject({ token_type: 'Bearer', access_token: expect.any(String) });
        expect(outcome.tokens?.['expires_in']).toBeGreaterThan(0);
      }
      if (asks(responseType, 'id_token')) {
        const front = await validIdToken(oidc, client, params['id_token'], NONCE);
        // RequireAtHash/RequireCHash: required beside a front-channel access token or code.
        if (asks(responseType, 'token')) expect(front['at_hash']).toEqual(expect.any(String));
        if (asks(responseType, 'code')) expect(front['c_hash']).toEqual(expect.any(String));
        expectHashesMatch(front, { accessToken: params['access_token'], code: params['code'] });
        expect(front.sub).toBe(sub);
        expect(front).not.toHaveProperty('name');
      }
      const claims = await idTokenOf(outcome);
      expect(claims.sub).toBe(sub);
      if (outcome.tokens) expectHashesMatch(claims, { accessToken: outcome.tokens.access_token, code: params['code'] });
      if (outcome.accessToken) {
        const userinfo = await oidc.userinfo(outcome.accessToken);
        expect(userinfo.status).toBe(200);
        expect(((await userinfo.json()) as Json)['sub']).toBe(sub);
      }
    });

    if (responseType === 'code' || responseType === 'code token') {
      it('oidcc-ensure-request-without-nonce-succeeds-for-code-flow: a request without nonce succeeds', async () => {
        const { outcome } = await authenticate({ nonce: '' });
        expect(await idTokenOf(outcome, null)).not.toHaveProperty('nonce');
      });
    } else {
      it('oidcc-ensure-request-without-nonce-fails: a request without nonce gets invalid_request, in the fragment', async () => {
        const res = await oidc.authorize(oidc.browser(), client, request({ nonce: '', state: 'st-nonce' }));
        expect(callbackOf(res)).toMatchObject({
          mode: 'fragment',
          params: { error: 'invalid_request', state: 'st-nonce', iss: oidc.app.issuer },
        });
      });
    }

    it.each([
      ['oidcc-scope-profile', 'openid profile'],
      ['oidcc-scope-email', 'openid email'],
      ['oidcc-scope-address', 'openid address'],
      ['oidcc-scope-phone', 'openid phone'],
      ['oidcc-scope-all', 'openid profile email address phone'],
      ['oidcc-ensure-other-scope-order-succeeds', 'email openid'],
    ])('%s: scope "%s" releases the claims of each scope', async (_module, scope) => {
      const { sub, outcome } = await authenticate({ scope });
      const answer = await releasedClaims(outcome);
      const profile = profileOf(sub);
      for (const claim of scope.split(' ').flatMap((s) => SCOPE_CLAIMS[s] ?? []))
        expect({ claim, value: answer[claim] }).toEqual({ claim, value: profile[claim] });
    });

    it.each([['oidcc-display-page', 'page'], ['oidcc-display-popup', 'popup']])(
      '%s: display=%s reaches the login UI and the authentication completes',
      async (_module, display) => {
        const browser = oidc.browser();
        const start = await oidc.authorize(browser, client, request({ display }));
        expect(isInteraction(start, 'login')).toBe(true);
        expect((await oidc.ui.read(oidc.ui.challengeOf(locationOf(start), 'login'))).body['display']).toBe(display);
        const { outcome } = await authenticate({ display });
        await idTokenOf(outcome);
      },
    );

    it('oidcc-prompt-login: prompt=login asks for a second login despite the session, and auth_time moves on', async () => {
      const { browser, sub, outcome: first } = await authenticate();
      const firstClaims = await idTokenOf(first);
      oidc.clock.advance(5);
      const again = await oidc.authorize(browser, client, request({ prompt: 'login' }));
      expect(isInteraction(again, 'login')).toBe(true);
      const second = await outcomeOf(oidc, client, await oidc.login(browser, locationOf(again), { sub }));
      const claims = await idTokenOf(second);
      expect(claims.sub).toBe(sub);
      // CheckIdTokenAuthTimeClaimsDifferIfPresent: Tessera always states auth_time.
      expect(claims.auth_time).toBe(oidc.now());
      expect(claims.auth_time).toBeGreaterThan(firstClaims.auth_time as number);
    });

    it('oidcc-prompt-none-not-logged-in: prompt=none without a session answers login_required with the long state intact', async () => {
      const state = randomBytes(96).toString('base64url');
      expect(state).toHaveLength(128);
      const res = await oidc.authorize(oidc.browser(), client, request({ prompt: 'none', state }));
      expect(callbackOf(res)).toMatchObject({
        mode: responseType === 'code' ? 'query' : 'fragment',
        params: { error: 'login_required', state, iss: oidc.app.issuer },
      });
    });

    it('oidcc-prompt-none-logged-in: prompt=none with a session answers at once, same sub and auth_time', async () => {
      const { browser, outcome: first } = await authenticate();
      const firstClaims = await idTokenOf(first);
      const claims = await idTokenOf(await silently(browser, { prompt: 'none' }));
      expect({ sub: claims.sub, auth_time: claims.auth_time }).toEqual({
        sub: firstClaims.sub,
        auth_time: firstClaims.auth_time,
      });
    });

    it('oidcc-max-age-1: max_age=1 two seconds after the login asks for a new one; the new ID token has a later auth_time', async () => {
      const { browser, sub, outcome: first } = await authenticate();
      const firstClaims = await idTokenOf(first);
      oidc.clock.advance(2);
      const again = await oidc.authorize(browser, client, request({ max_age: '1' }));
      expect(isInteraction(again, 'login')).toBe(true);
      const second = await outcomeOf(oidc, client, await oidc.login(browser, locationOf(again), { sub }));
      const claims = await idTokenOf(second);
      expect(claims.auth_time).toEqual(expect.any(Number));
      expect(claims.auth_time).toBeGreaterThan(firstClaims.auth_time as number);
      expect(claims.auth_time).toBeGreaterThanOrEqual(oidc.now() - 5);
    });

    it('oidcc-max-age-10000: max_age=15000 then max_age=10000 answers silently; both ID tokens carry the same auth_time and sub', async () => {
      const { browser, outcome: first } = await authenticate({ max_age: '15000' });
      const firstClaims = await idTokenOf(first);
      expect(firstClaims.auth_time).toEqual(expect.any(Number));
      const claims = await idTokenOf(await silently(browser, { max_age: '10000' }));
      expect({ sub: claims.sub, auth_time: claims.auth_time }).toEqual({
        sub: firstClaims.sub,
        auth_time: firstClaims.auth_time,
      });
    });

    it('oidcc-ensure-request-with-unknown-parameter-succeeds: extra=foobar is ignored', async () => {
      const { sub, outcome } = await authenticate({ extra: 'foobar' });
      expect((await idTokenOf(outcome)).sub).toBe(sub);
    });

    it('oidcc-id-token-hint: prompt=none with the first ID token as id_token_hint answers at once for the same user', async () => {
      const { browser, outcome: first } = await authenticate();
      const firstClaims = await idTokenOf(first);
      const claims = await idTokenOf(
        await silently(browser, { prompt: 'none', id_token_hint: first.idToken as string }),
      );
      expect({ sub: claims.sub, auth_time: claims.auth_time }).toEqual({
        sub: firstClaims.sub,
        auth_time: firstClaims.auth_time,
      });
    });

    it.each([
      ['oidcc-login-hint', 'login_hint', 'buffy@id.tessera.test', 'buffy@id.tessera.test'],
      ['oidcc-ui-locales', 'ui_locales', 'se', ['se']],
    ])('%s: %s reaches the login UI and the authentication completes', async (_module, name, value, shown) => {
      const browser = oidc.browser();
      const start = await oidc.authorize(browser, client, request({ [name]: value }));
      expect(isInteraction(start, 'login')).toBe(true);
      expect((await oidc.ui.read(oidc.ui.challengeOf(locationOf(start), 'login'))).body[name]).toEqual(shown);
      const { outcome } = await authenticate({ [name]: value });
      await idTokenOf(outcome);
    });

    it('oidcc-claims-locales: claims_locales=se does not get in the way', async () => {
      const { sub, outcome } = await authenticate({ claims_locales: 'se', scope: 'openid profile' });
      expect((await releasedClaims(outcome))['name']).toBe(profileOf(sub)['name']);
    });

    it('oidcc-ensure-request-with-acr-values-succeeds: the advertised acr_values are accepted and the acr is one of them', async () => {
      const doc = (await (await fetch(`${oidc.app.url}/.well-known/openid-configuration`)).json()) as Json;
      const advertised = doc['acr_values_supported'] as string[];
      const { outcome } = await authenticate({ acr_values: advertised.join(' ') });
      expect(advertised).toContain((await idTokenOf(outcome))['acr']);
    });

    it('oidcc-ensure-registered-redirect-uri: an unregistered redirect_uri gets an error page, never a redirect', async () => {
      const res = await oidc.authorize(
        oidc.browser(),
        client,
        request({ redirect_uri: `https://rp.example.com/cb/${randomBytes(6).toString('hex')}` }),
      );
      expect(res.status).toBe(400);
      expect(res.headers.get('location')).toBeNull();
      expect(await res.text()).toContain('redirect_uri');
    });

    it('oidcc-claims-essential: an essential name is answered where it was asked for, and only there', async () => {
      const where = responseType === 'id_token' ? 'id_token' : 'userinfo';
      const { sub, outcome } = await authenticate({
        scope: 'openid',
        claims: JSON.stringify({ [where]: { name: { essential: true } } }),
      });
      const idToken = await idTokenOf(outcome);
      if (where === 'id_token') {
        expect(idToken['name']).toBe(profileOf(sub)['name']);
      } else {
        expect(((await (await oidc.userinfo(outcome.accessToken)).json()) as Json)['name']).toBe(profileOf(sub)['name']);
        expect(idToken).not.toHaveProperty('name');
      }
    });

    if (responseType !== 'id_token') {
      it.each([
        ['oidcc-userinfo-get', 'GET', 'header'],
        ['oidcc-userinfo-post-header', 'POST', 'header'],
        ['oidcc-userinfo-post-body', 'POST', 'body'],
      ])('%s: UserInfo answers a %s with the access token in the %s', async (_module, method, where) => {
        const { sub, outcome } = await authenticate();
        const token = outcome.accessToken as string;
        const res =
          where === 'header'
            ? await oidc.userinfo(token, { method })
            : await oidc.userinfo(undefined, { method, body: new URLSearchParams({ access_token: token }).toString() });
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toMatch(/^application\/json/);
        expect(((await res.json()) as Json)['sub']).toBe(sub);
      });
    }
  });
});
