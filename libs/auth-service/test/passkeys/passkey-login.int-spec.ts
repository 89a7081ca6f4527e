import { testEngines } from '@tessera/test-kit';
import { startPlatformApp, type PlatformApp } from '../support/platform-app';
import { claimsOf, Portal, signInToAccount } from '../support/portal';
import { loginWithPasskey, registerPasskey, secondFactorWithPasskey, type LoginAnswer } from './passkey-portal';
import { SoftAuthenticator } from './soft-authenticator';

describe.each(testEngines())('passkeys in the login flow (%s)', (engine) => {
  let app: PlatformApp;
  let clientId: string;
  let now = Date.now();
  const refused = { error: 'invalid_credentials', error_description: expect.any(String) };

  beforeAll(async () => {
    app = await startPlatformApp({ engine, clock: () => now });
    clientId = (await app.client()).client_id;
  });
  afterAll(() => app.close());

  /** A user with a password who registered a passkey on `authenticator` through the account API. */
  async function userWithPasskey(authenticator = new SoftAuthenticator(app.issuer)) {
    const user = await app.user();
    const { account } = await signInToAccount(app, user);
    const { registered } = await registerPasskey(account, authenticator, 'My key');
    expect(registered.status).toBe(201);
    return { user, account, authenticator };
  }

  const idTokenAfter = async (portal: Portal, redirectTo: string) => {
    const callback = await portal.toCallback(redirectTo);
    const tokens = await portal.redeem(clientId, callback.searchParams.get('code') as string);
    return claimsOf(tokens['id_token'] as string);
  };

  it('registers a passkey, then signs in with it alone: the ID token says MFA (hwk, user, mfa)', async () => {
    const { user, account, authenticator } = await userWithPasskey();
    const portal = new Portal(app, app.browser());
    const loginUrl = await portal.authorize(clientId);
    const view = await portal.get(`/auth/login?login_challenge=${encodeURIComponent(Portal.challengeOf(loginUrl, 'login'))}`);
    expect(view.body['methods']).toEqual(expect.arrayContaining([{ type: 'passkey' }]));

    const { options, answer } = await loginWithPasskey(portal, loginUrl, authenticator);
    // A discoverable-credential ceremony: no credential list, user verification required.
    expect(options).toMatchObject({ rpId: 'id.tessera.test', userVerification: 'required', timeout: 300_000 });
    expect(options.allowCredentials ?? []).toEqual([]);
    expect(answer.status).toBe(200);
    expect(answer.body.redirect_to).toContain('/oauth2/authorize/resume');
    const idToken = await idTokenAfter(portal, answer.body.redirect_to as string);
    expect(idToken).toMatchObject({ sub: user.sub, acr: 'urn:tessera:acr:mfa' });
    expect(idToken['amr']).toEqual(['hwk', 'user', 'mfa']);

    const listed = await account<Array<Record<string, unknown>>>('GET', '/passkeys');
    expect(listed.body).toHaveLength(1);
    expect(listed.body[0]).toMatchObject({ name: 'My key', device_type: 'singleDevice', backed_up: false, last_used_at: expect.any(Number) });
  });

  it('says swk for a synced (backed-up) passkey', async () => {
    const { user, authenticator } = await userWithPasskey(new SoftAuthenticator(app.issuer, true));
    const portal = new Portal(app, app.browser());
    const { answer } = await loginWithPasskey(portal, await portal.authorize(clientId), authenticator);
    const idToken = await idTokenAfter(portal, answer.body.redirect_to as string);
    expect(idToken).toMatchObject({ sub: user.sub, acr: 'urn:tessera:acr:mfa', amr: ['swk', 'user', 'mfa'] });
  });

  it('asks a user who has a passkey for it after the password, and the passkey completes the login as MFA', async () => {
    const { user, authenticator } = await userWithPasskey();
    const portal = new Portal(app, app.browser());
    const loginUrl = await portal.authorize(clientId);
    const password = await portal.loginWithPassword(loginUrl, user.email, user.password);
    expect(password.body).toMatchObject({ next: 'second_factor', factors: expect.arrayContaining(['passkey']) });

    const { options, answer } = await secondFactorWithPasskey(portal, loginUrl, authenticator);
    expect(options.allowCredentials?.map((c) => c.id)).toEqual([Buffer.from(authenticator.credentials[0]?.id as Buffer).toString('base64url')]);
    expect(answer.status).toBe(200);
    const idToken = await idTokenAfter(portal, answer.body.redirect_to as string);
    expect(idToken).toMatchObject({ sub: user.sub, acr: 'urn:tessera:acr:mfa' });
    expect(idToken['amr']).toEqual(expect.arrayContaining(['pwd', 'hwk', 'mfa']));
  });

  it('steps an existing password session up with the passkey when a client asks for MFA', async () => {
    const user = await app.user();
    const { account, portal } = await signInToAccount(app, user);
    const authenticator = new SoftAuthenticator(app.issuer);
    expect((await registerPasskey(account, authenticator)).registered.status).toBe(201);

    const loginUrl = await portal.authorize(clientId, { acr_values: 'urn:tessera:acr:mfa' });
    const cont = await portal.post<LoginAnswer>('/auth/login/continue', { login_challenge: Portal.challengeOf(loginUrl, 'login') });
    expect(cont.body).toMatchObject({ next: 'second_factor', factors: expect.arrayContaining(['passkey']) });
    const { answer } = await secondFactorWithPasskey(portal, loginUrl, authenticator);
    expect(answer.status).toBe(200);
    expect(await idTokenAfter(portal, answer.body.redirect_to as string)).toMatchObject({ sub: user.sub, acr: 'urn:tessera:acr:mfa' });
  });

  it('refuses an assertion made for another origin or another RP ID', async () => {
    const { authenticator } = await userWithPasskey();
    const portal = new Portal(app, app.browser());
    const loginUrl = await portal.authorize(clientId);
    const phished = await loginWithPasskey(portal, loginUrl, authenticator, { origin: 'https://id.tessera.test.evil.example' });
    expect(phished.answer.status).toBe(401);
    expect(phished.answer.body).toEqual(refused);
    const otherRp = await loginWithPasskey(portal, loginUrl, authenticator, { rpId: 'evil.example' });
    expect(otherRp.answer.status).toBe(401);
    // And the right one still works on the same login challenge.
    expect((await loginWithPasskey(portal, loginUrl, authenticator)).answer.status).toBe(200);
  });

  it('consumes a challenge at its first use: a replayed assertion and a retry after a failure are refused', async () => {
    const { authenticator } = await userWithPasskey();
    const portal = new Portal(app, app.browser());
    const loginUrl = await portal.authorize(clientId);
    const login_challenge = Portal.challengeOf(loginUrl, 'login');

    const options = (await portal.post('/auth/login/passkey/options', { login_challenge })).body as never;
    const failed = await portal.post('/auth/login/passkey', { login_challenge, response: authenticator.get(options, { origin: 'https://evil.example' }) });
    expect(failed.status).toBe(401);
    const retry = await portal.post('/auth/login/passkey', { login_challenge, response: authenticator.get(options) });
    expect(retry.status).toBe(401);
    expect(retry.body).toEqual(refused);

    const fresh = (await portal.post('/auth/login/passkey/options', { login_challenge })).body as never;
    const response = authenticator.get(fresh);
    const concurrent = await Promise.all([portal.post('/auth/login/passkey', { login_challenge, response }), portal.post('/auth/login/passkey', { login_challenge, response })]);
    expect(concurrent.map((r) => r.status).sort()).toEqual([200, 401]);
    const replay = await portal.post('/auth/login/passkey', { login_challenge, response });
    expect(replay.status).toBe(401);
  });

  it('refuses a challenge answered in another browser, after 5 minutes, or for another login challenge', async () => {
    const { authenticator } = await userWithPasskey();
    const portal = new Portal(app, app.browser());
    const loginUrl = await portal.authorize(clientId);
    const login_challenge = Portal.challengeOf(loginUrl, 'login');

    const options = await portal.post('/auth/login/passkey/options', { login_challenge });
    const binding = options.headers.getSetCookie().find((c) => c.startsWith('tessera_webauthn='));
    expect(binding).toMatch(/HttpOnly/i);
    expect(binding).toMatch(/SameSite=Strict/i);
    // Another browser: the same cookies but its own ceremony binding.
    const real = portal.browser.cookie('tessera_webauthn') as string;
    portal.browser.setCookie('tessera_webauthn', 'x'.repeat(43));
    expect((await portal.post('/auth/login/passkey', { login_challenge, response: authenticator.get(options.body as never) })).status).toBe(401);
    portal.browser.setCookie('tessera_webauthn', real);

    const late = (await portal.post('/auth/login/passkey/options', { login_challenge })).body as never;
    now += 5 * 60_000 + 1000;
    try {
      expect((await portal.post('/auth/login/passkey', { login_challenge, response: authenticator.get(late) })).status).toBe(401);
    } finally {
      now -= 5 * 60_000 + 1000;
    }

    const otherLogin = Portal.challengeOf(await portal.authorize(clientId), 'login');
    const forOther = (await portal.post('/auth/login/passkey/options', { login_challenge: otherLogin })).body as never;
    expect((await portal.post('/auth/login/passkey', { login_challenge, response: authenticator.get(forOther) })).status).toBe(401);
    expect((await loginWithPasskey(portal, loginUrl, authenticator)).answer.status).toBe(200);
  });

  it('refuses an assertion from a credential that is not registered here', async () => {
    await userWithPasskey();
    const stranger = new SoftAuthenticator(app.issuer);
    stranger.newCredential('id.tessera.test', Buffer.from('someone').toString('base64url'));
    const portal = new Portal(app, app.browser());
    const { answer } = await loginWithPasskey(portal, await portal.authorize(clientId), stranger);
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual(refused);
  });

  it('refuses a signature counter that did not go up (a cloned authenticator)', async () => {
    const { authenticator } = await userWithPasskey();
    const portal = new Portal(app, app.browser());
    const loginUrl = await portal.authorize(clientId);
    expect((await loginWithPasskey(portal, loginUrl, authenticator, { signCount: 7 })).answer.status).toBe(200);
    const again = new Portal(app, app.browser());
    const next = await again.authorize(clientId);
    expect((await loginWithPasskey(again, next, authenticator, { signCount: 5 })).answer.status).toBe(401);
    expect((await loginWithPasskey(again, next, authenticator, { signCount: 7 })).answer.status).toBe(401);
    expect((await loginWithPasskey(again, next, authenticator, { signCount: 8 })).answer.status).toBe(200);
  });

  it('requires user verification for a passwordless login and a user handle matching the credential', async () => {
    const { authenticator } = await userWithPasskey();
    const portal = new Portal(app, app.browser());
    const loginUrl = await portal.authorize(clientId);
    expect((await loginWithPasskey(portal, loginUrl, authenticator, { userVerified: false })).answer.status).toBe(401);
    expect((await loginWithPasskey(portal, loginUrl, authenticator, { userHandle: null })).answer.status).toBe(401);
    expect((await loginWithPasskey(portal, loginUrl, authenticator, { userHandle: Buffer.from('another user').toString('base64url') })).answer.status).toBe(401);
    expect((await loginWithPasskey(portal, loginUrl, authenticator, { userPresent: false })).answer.status).toBe(401);
  });

  it("does not take another user's passkey as the second factor", async () => {
    const alice = await userWithPasskey();
    const bob = await userWithPasskey();
    const portal = new Portal(app, app.browser());
    const loginUrl = await portal.authorize(clientId);
    expect((await portal.loginWithPassword(loginUrl, alice.user.email, alice.user.password)).body).toMatchObject({ next: 'second_factor' });
    const { answer } = await secondFactorWithPasskey(portal, loginUrl, bob.authenticator, { credential: bob.authenticator.credentials[0] });
    expect(answer.status).toBe(401);
    // Without a session at all, the second factor is not on offer.
    const stranger = new Portal(app, app.browser());
    const noSession = await stranger.post('/auth/login/mfa/passkey/options', { login_challenge: Portal.challengeOf(await stranger.authorize(clientId), 'login') });
    expect(noSession.status).toBe(401);
    expect(noSession.body['error']).toBe('login_required');
  });

  it('needs the CSRF header on every passkey call, and answers malformed input with 400', async () => {
    const { authenticator } = await userWithPasskey();
    const portal = new Portal(app, app.browser());
    const loginUrl = await portal.authorize(clientId);
    const login_challenge = Portal.challengeOf(loginUrl, 'login');
    const options = (await portal.post('/auth/login/passkey/options', { login_challenge })).body as never;
    const response = authenticator.get(options);
    for (const path of ['/auth/login/passkey/options', '/auth/login/passkey', '/auth/login/mfa/passkey/options', '/auth/login/mfa/passkey']) {
      const res = await portal.post(path, { login_challenge, response }, { 'x-csrf-token': 'forged' });
      expect(res.status).toBe(403);
      expect(res.body['error']).toBe('csrf_check_failed');
    }
    for (const bad of [undefined, 'nope', {}, { ...response, type: 'password' }, { ...response, response: { ...response.response, clientDataJSON: '!!!' } }]) {
      const res = await portal.post('/auth/login/passkey', { login_challenge, response: bad });
      expect(res.status).toBe(400);
      expect(res.body['error']).toBe('invalid_request');
    }
    const notJson = await portal.post('/auth/login/passkey', { login_challenge, response: { ...response, response: { ...response.response, clientDataJSON: Buffer.from('not json').toString('base64url') } } });
    expect(notJson.status).toBe(400);
    expect((await portal.post('/auth/login/passkey/options', { login_challenge: 'bogus' })).status).toBeGreaterThanOrEqual(400);
    // The unforged call still succeeds (the CSRF refusals did not consume the challenge).
    expect((await portal.post<LoginAnswer>('/auth/login/passkey', { login_challenge, response })).status).toBe(200);
  });
});
