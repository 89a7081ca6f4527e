/**
 * What a login must still satisfy before anything is issued on it, and errors that must keep the
 * client's state: each of these once failed (found by this suite) and is fixed.
 */
import { locationOf, testEngines } from '@tessera/test-kit';
import { callbackOf, isInteraction, Oidc, type LoginOptions, type OidcClient } from './support';

const ACR_MFA = 'urn:tessera:acr:mfa';

describe.each(testEngines())('OpenID Connect login requirements (%s)', (engine) => {
  let oidc: Oidc;
  let client: OidcClient;

  beforeAll(async () => {
    oidc = await Oidc.start(engine);
    client = await oidc.client({
      grant_types: ['authorization_code', 'implicit', 'refresh_token'],
      response_types: [
        'code',
        'id_token',
        'id_token token',
        'code id_token',
        'code token',
        'code id_token token',
      ],
    });
  });
  afterAll(() => oidc?.close());

  const claims = (value: unknown) => JSON.stringify(value);

  /** A browser with an OP session and a remembered grant for `client`; also the ID token it got. */
  async function signedIn(login: Partial<LoginOptions> = {}) {
    const browser = oidc.browser();
    const sub = login.sub ?? oidc.newUser();
    const res = await oidc.signIn(browser, client, {}, { ...login, sub });
    const tokens = await oidc.redeem(client, callbackOf(res).params['code']);
    return { browser, sub, idToken: tokens.id_token as string };
  }

  describe('errors', () => {
    const refuse = (c: OidcClient, params: Record<string, string>) =>
      oidc.authorize(oidc.browser(), c, { state: 'st-err', ...params });

    it('echoes state in the error for a refused response_mode (RFC 6749 §4.2.2.1)', async () => {
      for (const responseMode of ['query', 'bogus']) {
        const res = await refuse(client, { response_type: 'id_token token', response_mode: responseMode });
        const { params } = callbackOf(res);
        expect({ responseMode, error: params['error'], state: params['state'] }).toEqual({
          responseMode,
          error: 'invalid_request',
          state: 'st-err',
        });
      }
    });
  });

  describe('claims', () => {
    it('never answers for another user than a sub value the client asked for (§5.5.1)', async () => {
      const browser = oidc.browser();
      const alice = oidc.newUser();
      await oidc.signIn(browser, client, {}, { sub: alice });
      const someoneElse = oidc.newUser();
      const res = await oidc.authorize(browser, client, {
        prompt: 'none',
        claims: claims({ id_token: { sub: { value: someoneElse } } }),
      });
      expect(callbackOf(res).params['code']).toBeUndefined();
      expect(callbackOf(res).params['error']).toBe('login_required');
    });
  });

  describe('what the login brings back', () => {
    /** A login challenge answered with `login` (and consent if asked); the response going back to the client. */
    async function answered(params: Record<string, string>, login: LoginOptions, browser = oidc.browser()) {
      const start = await oidc.authorize(browser, client, params);
      expect(isInteraction(start, 'login')).toBe(true);
      const res = await oidc.login(browser, locationOf(start), login);
      return isInteraction(res, 'consent') ? oidc.consent(browser, locationOf(res)) : res;
    }
    /** 'login' for another go at the login, else the error sent to the client, else 'code'. */
    const outcomeOf = (res: Response) =>
      isInteraction(res, 'login') ? 'login' : (callbackOf(res).params['error'] ?? 'code');

    it('does not issue an ID token for an essential acr the login did not reach (§5.5.1.1)', async () => {
      const claims = JSON.stringify({ id_token: { acr: { essential: true, values: [ACR_MFA] } } });
      const res = await answered({ claims }, { sub: oidc.newUser(), amr: ['pwd'] });
      // A failed authentication: an error to the client, or another go at the login; never a code.
      expect([
        'login',
        'login_required',
        'access_denied',
        'interaction_required',
        'unmet_authentication_requirements',
      ]).toContain(outcomeOf(res));
    });

    it('does not answer for another user than the id_token_hint names (§3.1.2.1)', async () => {
      const alice = await signedIn();
      const res = await answered({ id_token_hint: alice.idToken }, { sub: oidc.newUser() });
      expect(['login', 'login_required']).toContain(outcomeOf(res));
    });

    it('does not accept a login older than max_age as the re-authentication it asked for', async () => {
      const { browser, sub } = await signedIn({ authTime: oidc.now() - 100 });
      const res = await answered({ max_age: '10' }, { sub, authTime: oidc.now() - 100 }, browser);
      expect(['login', 'login_required']).toContain(outcomeOf(res));
    });
  });
});
