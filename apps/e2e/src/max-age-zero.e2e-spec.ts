/**
 * max_age=0 is prompt=login (OpenID Connect Core §3.1.2.1, errata set 2): a login within the same
 * second as the request must not count as the fresh authentication it asks for. Found by this
 * suite (the RP libraries accept such an auth_time within their clock tolerance).
 */
import * as oidc from 'openid-client';
import { locationOf, ScriptedLoginUi, TestBrowser } from '@tessera/test-kit';
import { e2eEngines } from './support/engines';
import { startPlatform, type RunningPlatform } from './support/platform';

const REDIRECT = 'http://127.0.0.1:9/callback';
const now = () => Math.floor(Date.now() / 1000);

describe.each(e2eEngines())('max_age=0 end to end (%s)', (engine) => {
  let platform: RunningPlatform;
  let ui: ScriptedLoginUi;
  let config: oidc.Configuration;

  beforeAll(async () => {
    platform = await startPlatform({ engine });
    ui = new ScriptedLoginUi(platform);
    const res = await platform.internal<{ client_id: string; client_secret: string }>('POST', '/internal/clients', {
      client_name: 'known failures',
      grant_types: ['authorization_code'],
      redirect_uris: [REDIRECT],
      allowed_scopes: ['openid'],
    });
    config = await oidc.discovery(new URL(platform.issuer), res.body.client_id, res.body.client_secret, oidc.ClientSecretBasic(), {
      execute: [oidc.allowInsecureRequests],
    });
  });
  afterAll(() => platform?.stop());

  /** Follows the authorization URL through login and consent; says which interactions were asked for. */
  async function authorize(browser: TestBrowser, url: URL, sub: string) {
    const kinds: string[] = [];
    let response = await browser.get(url.href);
    for (let location = locationOf(response); /_challenge=/.test(location); location = locationOf(response)) {
      const kind = location.includes('login_challenge=') ? 'login' : 'consent';
      kinds.push(kind);
      const accepted =
        kind === 'login'
          ? await ui.acceptLogin(browser, location, { sub })
          : await ui.acceptConsent(browser, location, { grantScope: ['openid'], remember: true });
      response = await browser.get(accepted.body['redirect_to'] as string);
    }
    return { callback: new URL(locationOf(response)), kinds };
  }

  async function codeRequest(extra: Record<string, string> = {}) {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: 'openid',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
      ...extra,
    });
    return { url, checks: { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce } };
  }

  describe('openid-connect-requests.e2e-spec.ts', () => {
    // OIDC Core 1.0 (errata set 2) §3.1.2.1: "Note that max_age=0 is equivalent to prompt=login."
    // AuthorizationFlowService.start (libs/token-service/src/authorize/authorization-flow.service.ts,
    // `now - session.authTime > request.maxAge`) asks for a login only when the session is strictly
    // older than max_age, so with max_age=0 a session authenticated in the current second is reused.
    it('max_age=0 forces a new login even right after one, like prompt=login', async () => {
      const browser = new TestBrowser();
      const sub = `max-age-zero-${Date.now()}`;
      // Start at the top of a second, so that the sign-in and the next request share their epoch second.
      await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000)));
      const first = await codeRequest();
      expect((await authorize(browser, first.url, sub)).kinds).toEqual(['login', 'consent']);

      const requestedAt = now();
      const again = await codeRequest({ max_age: '0' });
      const { callback, kinds } = await authorize(browser, again.url, sub);
      expect(kinds).toEqual(['login']);
      const tokens = await oidc.authorizationCodeGrant(config, callback, { ...again.checks, maxAge: 0 });
      expect(tokens.claims()?.auth_time).toBeGreaterThanOrEqual(requestedAt);
    });
  });
});
