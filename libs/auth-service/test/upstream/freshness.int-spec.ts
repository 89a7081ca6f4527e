import { randomBytes } from 'node:crypto';
import { locationOf, testEngines } from '@tessera/test-kit';
import type { DataSource } from 'typeorm';
import { AUTH_SERVICE_DATA_SOURCE } from '../../src/auth-service.tokens';
import { LoginSessionEntity } from '../../src/database/entities/login-session.entity';
import { ISSUER, startPlatformApp, type PlatformApp } from '../support/platform-app';
import { claimsOf, Portal } from '../support/portal';
import { ACR_MFA, lastMailedCode, secondFactor } from '../mfa/mfa-support';
import { atUpstream, startUpstreamProvider, type UpstreamAccount, type UpstreamProvider } from './support/upstream-provider';

const CLIENT_SECRET = `upstream-secret-${randomBytes(12).toString('base64url')}`;

/**
 * An upstream sign-in and the client's freshness demands (found in review): the login session
 * of an upstream sign-in used to get `auth_time` = now, and the upstream request carried the
 * client's demand only as `prompt=login` (never checked against the ID token's `auth_time`),
 * and not at all for `max_age > 0`. A provider with an SSO session from yesterday answered at
 * once, and the client received an ID token whose `auth_time` claimed an authentication that
 * happened now (OIDC Core §3.1.2.1 / §3.1.3.7 item 13). Now `max_age` (and `prompt=login`) go
 * upstream, the upstream `auth_time` is checked against them, and the login session (so the
 * client's ID token) takes the provider's `auth_time`.
 */
describe.each(testEngines())('upstream sign-in and the client freshness demands (%s)', (engine) => {
  let app: PlatformApp;
  let upstream: UpstreamProvider;
  let data: DataSource;
  let clientId: string;
  /** Tessera's clock runs with real time plus this (the provider's, and openid-client's checks, run on real time). */
  let skew = 0;

  beforeAll(async () => {
    upstream = await startUpstreamProvider([
      {
        client_id: 'tessera',
        client_secret: CLIENT_SECRET,
        redirect_uris: [`${ISSUER}/auth/upstream/corp/callback`],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ]);
    app = await startPlatformApp({ engine, clock: () => Date.now() + skew, env: { TESSERA_UPSTREAM_ALLOW_PRIVATE: 'true' } });
    data = app.running.app.get<DataSource>(AUTH_SERVICE_DATA_SOURCE);
    expect((await app.internal('POST', '/internal/upstream-idps', { id: 'corp', display_name: 'Corp', issuer: upstream.issuer, client_id: 'tessera', client_secret: CLIENT_SECRET, trust_email_verified: true })).status).toBe(201);
    ({ client_id: clientId } = await app.client());
  });
  afterAll(async () => {
    await app?.close();
    await upstream?.close();
  });

  const nowSeconds = () => Math.floor(Date.now() / 1000);
  const account = (extra: Partial<UpstreamAccount> = {}): UpstreamAccount => ({ sub: `fresh-${randomBytes(4).toString('hex')}`, name: 'Fresh', ...extra });

  /** From a new browser's login page to the provider: the authorization request Tessera sends. */
  async function start(params: Record<string, string> = {}) {
    const portal = new Portal(app, app.browser());
    const loginUrl = await portal.authorize(clientId, params);
    const challenge = Portal.challengeOf(loginUrl, 'login');
    const res = await portal.browser.get(`${ISSUER}/auth/upstream/corp/start?login_challenge=${encodeURIComponent(challenge)}`);
    expect(res.status).toBe(302);
    return { portal, loginUrl, challenge, authorizationUrl: locationOf(res) };
  }

  /** The whole upstream sign-in as `who`: where Tessera sends the browser after the callback. */
  async function signIn(who: UpstreamAccount, params: Record<string, string> = {}) {
    const started = await start(params);
    const callbackUrl = await atUpstream(started.portal.browser, started.authorizationUrl, who);
    return { ...started, location: locationOf(await started.portal.browser.get(callbackUrl)) };
  }

  async function idTokenClaims(portal: Portal, redirectTo: string) {
    const code = (await portal.toCallback(redirectTo)).searchParams.get('code') as string;
    return claimsOf((await portal.redeem(clientId, code))['id_token'] as string);
  }

  it('passes a max_age demand on to the provider', async () => {
    const portal = new Portal(app, app.browser());
    const loginUrl = await portal.authorize(clientId, { max_age: '60' });
    const start = await portal.browser.get(`${ISSUER}/auth/upstream/corp/start?login_challenge=${encodeURIComponent(Portal.challengeOf(loginUrl, 'login'))}`);
    const sent = new URL(locationOf(start)).searchParams;
    expect(sent.get('max_age') ?? (sent.get('prompt') === 'login' ? 'prompt=login' : null)).not.toBeNull();
    expect(sent.get('max_age')).toBe('60');
    expect(sent.get('prompt')).toBeNull();
  });

  it('asks the provider for a login now when the client does (prompt=login or max_age=0), and for nothing otherwise', async () => {
    for (const params of [{ prompt: 'login' }, { max_age: '0' }] as Array<Record<string, string>>) {
      const sent = new URL((await start(params)).authorizationUrl).searchParams;
      expect({ prompt: sent.get('prompt'), max_age: sent.get('max_age') }).toEqual({ prompt: 'login', max_age: '0' });
    }
    const plain = new URL((await start()).authorizationUrl).searchParams;
    expect({ prompt: plain.get('prompt'), max_age: plain.get('max_age') }).toEqual({ prompt: null, max_age: null });
  });

  it("gives the client the provider's auth_time, not the time of the callback", async () => {
    const authTime = nowSeconds() - 600;
    const { portal, location } = await signIn(account({ auth_time: authTime }), { max_age: '3600' });
    expect(location).toContain(`${ISSUER}/oauth2/`);
    const claims = await idTokenClaims(portal, location);
    expect(claims['auth_time']).toBe(authTime);
    expect(claims['amr']).toEqual(['fed']);
    // The browser's login session is as old as the upstream login: a client asking for a younger one gets a new login.
    const youngerWanted = Portal.challengeOf(await portal.authorize(clientId, { max_age: '300' }), 'login');
    const view = await portal.get(`/auth/login?login_challenge=${encodeURIComponent(youngerWanted)}`);
    expect(view.body).toMatchObject({ session: { auth_time: authTime }, can_continue: false });
  });

  it('refuses an upstream login older than the max_age the client asked for (a provider that ignores it)', async () => {
    const who = account({ auth_time: nowSeconds() - 600 });
    const { portal, challenge, location } = await signIn(who, { max_age: '60' });
    expect(location).toBe(`${ISSUER}/login?login_challenge=${encodeURIComponent(challenge)}&upstream_error=invalid_response`);
    // Nobody was signed in or provisioned, and the challenge is still there to answer.
    const view = await portal.get(`/auth/login?login_challenge=${encodeURIComponent(challenge)}`);
    expect(view.status).toBe(200);
    expect(view.body['session']).toBeNull();
    expect(await data.query(`SELECT "id" FROM "upstream_links" WHERE "upstream_sub" = ${engine === 'postgres' ? '$1' : '?'}`, [who.sub])).toEqual([]);
    expect(app.logs.join('')).toContain('too much time has elapsed since the last End-User authentication');
  });

  it('refuses an upstream login from before a prompt=login request', async () => {
    const { challenge, location } = await signIn(account({ auth_time: nowSeconds() - 120 }), { prompt: 'login' });
    expect(location).toBe(`${ISSUER}/login?login_challenge=${encodeURIComponent(challenge)}&upstream_error=invalid_response`);
  });

  it('accepts a login the provider made after the request, however long the person then took there', async () => {
    // The request goes upstream 90 s ago; the person signs in there 60 s ago and comes back now.
    skew = -90_000;
    let started: Awaited<ReturnType<typeof start>>;
    try {
      started = await start({ prompt: 'login' });
    } finally {
      skew = 0;
    }
    const authTime = nowSeconds() - 60;
    const callbackUrl = await atUpstream(started.portal.browser, started.authorizationUrl, account({ auth_time: authTime }));
    const location = locationOf(await started.portal.browser.get(callbackUrl));
    expect(location).toContain(`${ISSUER}/oauth2/`);
    expect((await idTokenClaims(started.portal, location))['auth_time']).toBe(authTime);
  });

  it('leaves a second factor its full time after an older upstream login (the second factor makes the login now)', async () => {
    // Older than a second factor's stage lasts (15 minutes), younger than the client's max_age.
    const email = `mfa-${randomBytes(4).toString('hex')}@corp.example`;
    const { portal, loginUrl, challenge, location } = await signIn(account({ email, email_verified: true, auth_time: nowSeconds() - 3000 }), { max_age: '3600', acr_values: ACR_MFA });
    expect(location).toBe(`${ISSUER}/login?login_challenge=${encodeURIComponent(challenge)}&next=second_factor`);
    const [waiting] = await data.manager.find(LoginSessionEntity, { where: { stage: 'second_factor' }, order: { createdAt: 'DESC' }, take: 1 });
    expect(waiting?.amr).toEqual(['fed']);

    expect((await secondFactor(portal, 'email-code/send', loginUrl)).status).toBe(200);
    const code = await lastMailedCode(app, email);
    // The login is the second factor's: auth_time is the time of that call, bracketed here rather
    // than compared with "now" within a few seconds (the redirects and the code redemption after
    // it can take longer than that on a loaded machine).
    const before = nowSeconds();
    const done = await secondFactor(portal, 'email-code', loginUrl, code);
    const after = nowSeconds();
    expect(done.status).toBe(200);
    const claims = await idTokenClaims(portal, done.body.redirect_to as string);
    expect(claims).toMatchObject({ acr: ACR_MFA, amr: expect.arrayContaining(['fed', 'otp', 'mfa']) });
    expect(claims['auth_time']).toBeGreaterThanOrEqual(before);
    expect(claims['auth_time']).toBeLessThanOrEqual(after);
  });
});
