import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as oidc from 'openid-client';
import type { DatabaseEngine } from '@tessera/runtime';
import { eventually, locationOf, TestBrowser } from '@tessera/test-kit';
import { e2eEngines } from './support/engines';
import { runCli } from './support/cli';
import { startPlatform, type RunningPlatform } from './support/platform';

const REDIRECT = 'http://127.0.0.1:9/callback';
const insecure = { execute: [oidc.allowInsecureRequests] };

/** The portal's part: the flow API under /auth/* with the CSRF header, cookies in the test browser. */
async function flowPost(browser: TestBrowser, issuer: string, path: string, body: unknown) {
  let csrf = browser.cookie('tessera_csrf');
  if (!csrf) csrf = ((await (await browser.get(`${issuer}/auth/csrf`)).json()) as { csrf_token: string }).csrf_token;
  const res = await browser.request(`${issuer}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': csrf }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe.each(e2eEngines())('the authentication service in the platform, with openid-client as the relying party (%s)', (engine: DatabaseEngine) => {
  let platform: RunningPlatform;
  let config: oidc.Configuration;

  /** `npm run tessera -- …` against this platform (its admin API, as the tessera-cli client). */
  const cli = (...args: string[]) => runCli(platform, args);

  /** From the authorization URL to the client's callback, signing in with a password and consenting to everything. */
  async function signIn(browser: TestBrowser, url: URL, email: string, password: string): Promise<URL> {
    const loginUrl = locationOf(await browser.get(url.href));
    const challenge = new URL(loginUrl).searchParams.get('login_challenge') as string;
    const view = (await (await browser.get(`${platform.issuer}/auth/login?login_challenge=${encodeURIComponent(challenge)}`)).json()) as Record<string, unknown>;
    expect(view['client']).toMatchObject({ client_name: 'Notes' });
    const login = await flowPost(browser, platform.issuer, '/auth/login/password', { login_challenge: challenge, email, password });
    expect(login.status).toBe(200);
    let next = locationOf(await browser.get(login.body['redirect_to'] as string));
    if (next.includes('/consent?')) {
      const consentChallenge = new URL(next).searchParams.get('consent_challenge') as string;
      const consent = (await (await browser.get(`${platform.issuer}/auth/consent?consent_challenge=${encodeURIComponent(consentChallenge)}`)).json()) as Record<string, unknown>;
      const accepted = await flowPost(browser, platform.issuer, '/auth/consent/accept', { consent_challenge: consentChallenge, grant_scope: consent['requested_scope'], remember: true });
      next = locationOf(await browser.get(accepted.body['redirect_to'] as string));
    }
    return new URL(next);
  }

  async function codeFlow(browser: TestBrowser, email: string, password: string, scope: string) {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, { redirect_uri: REDIRECT, scope, code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', state, nonce });
    const callback = await signIn(browser, url, email, password);
    return oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
  }

  beforeAll(async () => {
    platform = await startPlatform({ engine });
    const client = await platform.internal<{ client_id: string }>('POST', '/internal/clients', {
      client_name: 'Notes',
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code', 'refresh_token'],
      token_endpoint_auth_method: 'none',
      allowed_scopes: ['openid', 'profile', 'email', 'account'],
      first_party: true,
    });
    expect(client.status).toBe(201);
    config = await oidc.discovery(new URL(platform.issuer), client.body.client_id, { token_endpoint_auth_method: 'none' }, oidc.None(), insecure);
  });
  afterAll(() => platform?.stop());

  it('generates the first administrator on the embedded default: the password in a 0600 file whose path (not content) the start prints', async () => {
    const file = join(platform.dataDir, 'admin-password');
    if (engine === 'postgres') {
      // Not the embedded default: nothing is generated, and the log says how to create one.
      expect(existsSync(file)).toBe(false);
      expect(platform.output()).toContain('No administrator exists');
      return;
    }
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const password = readFileSync(file, 'utf8').trim();
    expect(platform.output()).toContain(file);
    expect(platform.output()).not.toContain(password);
    const tokens = await codeFlow(new TestBrowser(), 'admin@tessera.localhost', password, 'openid');
    expect(tokens.claims()?.sub).toBeTruthy();
  });

  it('creates a user with the CLI, signs them in, and a profile change through the account API shows at UserInfo', async () => {
    const created = await cli('users', 'create', '--email', 'ada@example.com', '--password', 'analytical engine 1843', '--claims', '{"name":"Ada Lovelace","locale":"en-GB"}', '--json');
    expect(created.stderr).toBe('');
    expect(created.status).toBe(0);
    const user = JSON.parse(created.stdout) as { sub: string; email_verified: boolean };
    expect(user.email_verified).toBe(true);
    expect((await cli('users', 'create', '--email', 'ada@example.com', '--password', 'analytical engine 1843')).stderr).toMatch(/conflict/);
    expect((await cli('users', 'create', '--email', 'weak@example.com', '--password', 'password1')).stderr).toMatch(/weak_password/);

    const tokens = await codeFlow(new TestBrowser(), 'ada@example.com', 'analytical engine 1843', 'openid profile email account');
    expect(tokens.claims()).toMatchObject({ sub: user.sub, acr: 'urn:tessera:acr:pwd', amr: ['pwd'] });
    expect(await oidc.fetchUserInfo(config, tokens.access_token, user.sub)).toMatchObject({ name: 'Ada Lovelace', email: 'ada@example.com', email_verified: true, locale: 'en-GB' });

    const patch = await fetch(`${platform.issuer}/auth/account`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${tokens.access_token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ claims: { name: 'Augusta Ada King' } }),
    });
    expect(patch.status).toBe(200);
    // user.updated travels through the outbox; the token service drops its cached claims.
    await eventually(async () => expect(await oidc.fetchUserInfo(config, tokens.access_token, user.sub)).toMatchObject({ name: 'Augusta Ada King' }));
  });

  it('serves the legacy password grant to an admin-enabled client through the credential check, and never logs the password', async () => {
    const secretPassword = 'difference engine no 2';
    expect((await cli('users', 'create', '--email', 'babbage@example.com', '--password', secretPassword)).status).toBe(0);
    const created = await platform.internal<{ client_id: string; client_secret: string }>('POST', '/internal/clients', {
      client_name: 'Legacy',
      grant_types: ['password'],
      response_types: [],
      allowed_scopes: ['openid', 'profile'],
    });
    expect(created.status).toBe(201);
    const legacy = await oidc.discovery(new URL(platform.issuer), created.body.client_id, created.body.client_secret, oidc.ClientSecretBasic(), insecure);
    const grant = (password: string) => oidc.genericGrantRequest(legacy, 'password', { username: 'babbage@example.com', password, scope: 'openid profile' });

    const ok = await grant(secretPassword);
    expect(ok.access_token).toBeTruthy();
    expect(ok.claims()).toMatchObject({ amr: ['pwd'], acr: 'urn:tessera:acr:pwd' });

    await expect(grant('not the password')).rejects.toMatchObject({ error: 'invalid_grant', status: 400 });
    expect(platform.output()).not.toContain(secretPassword);
    expect(platform.output()).not.toContain('not the password');
  });
});
