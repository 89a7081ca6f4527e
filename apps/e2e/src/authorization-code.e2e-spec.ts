import * as oidc from 'openid-client';
import * as oauth from 'oauth4webapi';
import { eventually, locationOf, ScriptedLoginUi, TestBrowser } from '@tessera/test-kit';
import { e2eEngines } from './support/engines';
import { startPlatform, type RunningPlatform } from './support/platform';

const REDIRECT = 'http://127.0.0.1:9/callback'; // never contacted: the test reads the redirect
const opts = { [oauth.allowInsecureRequests]: true } as const;
let userCounter = 0;

describe.each(e2eEngines())('authorization code flow with real clients on %s', (engine) => {
  let platform: RunningPlatform;
  let ui: ScriptedLoginUi;
  let confidential: { client_id: string; client_secret: string };
  let publicClient: { client_id: string };

  beforeAll(async () => {
    platform = await startPlatform({ engine });
    ui = new ScriptedLoginUi(platform);
    const common = {
      grant_types: ['authorization_code', 'refresh_token'],
      redirect_uris: [REDIRECT],
      allowed_scopes: [{ scope: 'notes:read', required: true }, 'notes:write', 'offline_access'],
    };
    confidential = (await platform.internal('POST', '/internal/clients', { ...common, client_name: 'Notes (web)', refresh_token_grace_period: 10 })).body as never;
    publicClient = (await platform.internal('POST', '/internal/clients', { ...common, client_name: 'Notes (SPA)', token_endpoint_auth_method: 'none' })).body as never;
  });
  afterAll(() => platform?.stop());

  /** Drives the browser through login and consent as the portal would, and returns the callback URL. */
  async function signIn(browser: TestBrowser, authorizationUrl: string, grantScope?: string[]): Promise<URL> {
    let res = await browser.get(authorizationUrl);
    let location = locationOf(res);
    if (location.includes('login_challenge=')) {
      const accepted = await ui.acceptLogin(browser, location, { sub: `e2e-user-${++userCounter}` });
      res = await browser.get(accepted.body['redirect_to'] as string);
      location = locationOf(res);
    }
    if (location.includes('consent_challenge=')) {
      const info = await ui.read(ui.challengeOf(location, 'consent'));
      const accepted = await ui.acceptConsent(browser, location, { grantScope: grantScope ?? (info.body['requested_scope'] as string[]), remember: true });
      res = await browser.get(accepted.body['redirect_to'] as string);
      location = locationOf(res);
    }
    return new URL(location);
  }

  it('openid-client: code + PKCE for a confidential client, then refresh rotation', async () => {
    const config = await oidc.discovery(new URL(platform.issuer), confidential.client_id, confidential.client_secret, oidc.ClientSecretBasic(), {
      execute: [oidc.allowInsecureRequests],
    });
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: 'notes:read notes:write offline_access',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
    });
    const callback = await signIn(new TestBrowser(), url.href);
    const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state });
    expect(tokens.scope).toBe('notes:read notes:write offline_access');
    expect(tokens.refresh_token).toMatch(/^tsr_rt_/);

    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token as string);
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    expect((await oidc.tokenIntrospection(config, refreshed.access_token)).active).toBe(true);
    // Within the client's grace period a retry of the old refresh token gets the same successor.
    const retried = await oidc.refreshTokenGrant(config, tokens.refresh_token as string);
    expect(retried.refresh_token).toBe(refreshed.refresh_token);
  });

  it('oauth4webapi (strict, RFC 9207 iss checked): code + PKCE for a public client', async () => {
    const issuer = new URL(platform.issuer);
    const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...opts }));
    expect(as.authorization_response_iss_parameter_supported).toBe(true);
    const client: oauth.Client = { client_id: publicClient.client_id };
    const verifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const url = new URL(as.authorization_endpoint as string);
    url.search = new URLSearchParams({
      client_id: client.client_id,
      redirect_uri: REDIRECT,
      response_type: 'code',
      scope: 'notes:read',
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
    }).toString();
    const callback = await signIn(new TestBrowser(), url.href);
    const params = oauth.validateAuthResponse(as, client, callback, state);
    const response = await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), params, REDIRECT, verifier, opts);
    const result = await oauth.processAuthorizationCodeResponse(as, client, response);
    expect(result.access_token).toMatch(/^tsr_at_/);
    // No offline_access: no refresh token for a user's grant.
    expect(result.refresh_token).toBeUndefined();

    // The code is single-use: a replay is refused with invalid_grant.
    const replay = await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), params, REDIRECT, verifier, opts);
    await expect(oauth.processAuthorizationCodeResponse(as, client, replay)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('oauth4webapi: a public client without PKCE is refused at the authorization endpoint', async () => {
    const url = `${platform.issuer}/oauth2/authorize?${new URLSearchParams({ client_id: publicClient.client_id, redirect_uri: REDIRECT, response_type: 'code', scope: 'notes:read', state: 's' })}`;
    const callback = new URL(locationOf(await new TestBrowser().get(url)));
    expect(Object.fromEntries(callback.searchParams)).toMatchObject({ error: 'invalid_request', state: 's', iss: platform.issuer });
  });

  it('remembers consent, asks again with prompt=consent, and a reused refresh token revokes its family', async () => {
    const config = await oidc.discovery(new URL(platform.issuer), confidential.client_id, confidential.client_secret, oidc.ClientSecretBasic(), {
      execute: [oidc.allowInsecureRequests],
    });
    const browser = new TestBrowser();
    const authorize = async (extra: Record<string, string> = {}) => {
      const verifier = oidc.randomPKCECodeVerifier();
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: REDIRECT,
        scope: 'notes:read offline_access',
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        ...extra,
      });
      return { url, verifier };
    };
    const first = await authorize();
    const tokens = await oidc.authorizationCodeGrant(config, await signIn(browser, first.url.href), { pkceCodeVerifier: first.verifier });

    // Same browser, remembered grant: straight back to the client, no login or consent page.
    const second = await authorize();
    const direct = new URL(locationOf(await browser.get(second.url.href)));
    expect(direct.searchParams.get('code')).toMatch(/^tsr_ac_/);
    const forced = await authorize({ prompt: 'consent' });
    expect(locationOf(await browser.get(forced.url.href))).toContain('consent_challenge=');

    // Rotation, then reuse of the first refresh token outside the grace period: family revoked.
    const rotated = await oidc.refreshTokenGrant(config, tokens.refresh_token as string);
    const graceless = await platform.internal('PUT', `/internal/clients/${confidential.client_id}`, {
      grant_types: ['authorization_code', 'refresh_token'],
      redirect_uris: [REDIRECT],
      allowed_scopes: [{ scope: 'notes:read', required: true }, 'notes:write', 'offline_access'],
      refresh_token_grace_period: 0,
    });
    expect(graceless.status).toBe(200);
    await expect(oidc.refreshTokenGrant(config, tokens.refresh_token as string)).rejects.toMatchObject({ error: 'invalid_grant' });
    await expect(oidc.refreshTokenGrant(config, rotated.refresh_token as string)).rejects.toMatchObject({ error: 'invalid_grant' });
    expect((await oidc.tokenIntrospection(config, rotated.access_token)).active).toBe(false);
  });

  it('revoking a grant through the internal grants API kills its tokens', async () => {
    const config = await oidc.discovery(new URL(platform.issuer), confidential.client_id, confidential.client_secret, oidc.ClientSecretBasic(), {
      execute: [oidc.allowInsecureRequests],
    });
    const verifier = oidc.randomPKCECodeVerifier();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: 'notes:read offline_access',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    const tokens = await oidc.authorizationCodeGrant(config, await signIn(new TestBrowser(), url.href), { pkceCodeVerifier: verifier });
    const sub = (await oidc.tokenIntrospection(config, tokens.access_token)).sub as string;
    const grants = await platform.internal<{ id: string; client_id: string; scopes: string[] }[]>('GET', `/internal/grants?sub=${encodeURIComponent(sub)}`);
    expect(grants.body).toEqual([expect.objectContaining({ client_id: confidential.client_id, scopes: ['notes:read', 'offline_access'] })]);
    expect((await platform.internal('DELETE', `/internal/grants/${grants.body[0].id}`)).status).toBe(204);
    // The grant.revoked consumer runs asynchronously (outbox → queue); wait for its effect.
    await eventually(async () => expect((await oidc.tokenIntrospection(config, tokens.access_token)).active).toBe(false), { timeoutMs: 10_000, intervalMs: 50 });
    await expect(oidc.refreshTokenGrant(config, tokens.refresh_token as string)).rejects.toMatchObject({ error: 'invalid_grant' });
  });
});
