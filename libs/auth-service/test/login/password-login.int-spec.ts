import { testEngines } from '@tessera/test-kit';
import { PasswordHasher } from '../../src';
import { startPlatformApp, TEST_HASHER, type PlatformApp } from '../support/platform-app';
import { claimsOf, Portal } from '../support/portal';

describe.each(testEngines())('password login through the flow API (%s)', (engine) => {
  let app: PlatformApp;
  let clientId: string;

  beforeAll(async () => {
    app = await startPlatformApp({ engine });
    clientId = (await app.client()).client_id;
  });
  afterAll(() => app.close());

  it('signs a user in, asks consent, and the client gets an ID token about that user with acr pwd', async () => {
    const user = await app.user({ claims: { name: 'Ada Lovelace' } });
    const portal = new Portal(app, app.browser());
    const loginUrl = await portal.authorize(clientId);
    expect(loginUrl).toMatch(/\/login\?login_challenge=/);

    const view = await portal.get(`/auth/login?login_challenge=${encodeURIComponent(Portal.challengeOf(loginUrl, 'login'))}`);
    expect(view.status).toBe(200);
    expect(view.body).toMatchObject({ session: null, can_continue: false, client: { client_id: clientId } });

    const login = await portal.loginWithPassword(loginUrl, user.email.toUpperCase(), user.password);
    expect(login.status).toBe(200);
    expect(login.body.redirect_to).toContain('/oauth2/authorize/resume');
    const session = login.headers.getSetCookie().find((c) => c.startsWith('tessera_login='));
    expect(session).toMatch(/HttpOnly/i);
    expect(session).toMatch(/SameSite=Lax/i);
    expect(session).toMatch(/Secure/i);
    expect(session).not.toMatch(/Max-Age/i); // no "remember me": a browser session

    const callback = await portal.toCallback(login.body.redirect_to as string);
    const tokens = await portal.redeem(clientId, callback.searchParams.get('code') as string);
    const idToken = claimsOf(tokens['id_token'] as string);
    expect(idToken).toMatchObject({ sub: user.sub, acr: 'urn:tessera:acr:pwd', amr: ['pwd'] });
    // A code-flow ID token carries profile claims only when asked for (OIDC Core section 5.4): UserInfo has them.
    expect(idToken['name']).toBeUndefined();

    const userinfo = await fetch(`${app.url}/oauth2/userinfo`, { headers: { authorization: `Bearer ${tokens['access_token']}` } });
    expect(await userinfo.json()).toMatchObject({ sub: user.sub, name: 'Ada Lovelace', email: user.email, email_verified: true });
  });

  it('answers a wrong password and an unknown account with the same error', async () => {
    const user = await app.user();
    const portal = new Portal(app, app.browser());
    const loginUrl = await portal.authorize(clientId);
    const wrong = await portal.loginWithPassword(loginUrl, user.email, 'not-the-password');
    const unknown = await portal.loginWithPassword(loginUrl, 'nobody@example.com', 'not-the-password');
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body).toEqual(unknown.body);
    expect(wrong.body).toEqual({ error: 'invalid_credentials', error_description: 'The email address or password is not correct.' });
  });

  it('refuses a state-changing call without the CSRF header', async () => {
    const user = await app.user();
    const portal = new Portal(app, app.browser());
    const loginUrl = await portal.authorize(clientId);
    const res = await portal.post('/auth/login/password', { login_challenge: Portal.challengeOf(loginUrl, 'login'), email: user.email, password: user.password }, { 'x-csrf-token': 'forged' });
    expect(res.status).toBe(403);
    expect(res.body['error']).toBe('csrf_check_failed');
    const crossSite = await portal.post('/auth/login/password', { login_challenge: Portal.challengeOf(loginUrl, 'login'), email: user.email, password: user.password }, { origin: 'https://evil.example' });
    expect(crossSite.status).toBe(403);
  });

  it('lets a second client sign in on the existing session without a password', async () => {
    const user = await app.user();
    const portal = new Portal(app, app.browser());
    const first = await portal.loginWithPassword(await portal.authorize(clientId), user.email, user.password, true);
    await portal.toCallback(first.body.redirect_to as string);

    const other = (await app.client()).client_id;
    // A fresh OP session would skip login altogether; prompt=login is not it, so ask with a
    // browser that keeps only the auth-service's session cookie.
    const second = new Portal(app, app.browser());
    second.browser.setCookie('tessera_login', portal.browser.cookie('tessera_login') as string);
    const loginUrl = await second.authorize(other);
    const view = await second.get(`/auth/login?login_challenge=${encodeURIComponent(Portal.challengeOf(loginUrl, 'login'))}`);
    expect(view.body).toMatchObject({ can_continue: true, session: { sub: user.sub, email: user.email } });
    const cont = await second.post('/auth/login/continue', { login_challenge: Portal.challengeOf(loginUrl, 'login') });
    expect(cont.status).toBe(200);
    const callback = await second.toCallback(cont.body['redirect_to'] as string);
    const tokens = await second.redeem(other, callback.searchParams.get('code') as string);
    expect(claimsOf(tokens['id_token'] as string)['sub']).toBe(user.sub);
  });

  it('refuses to complete a challenge from another browser (no login CSRF)', async () => {
    const user = await app.user();
    const victim = new Portal(app, app.browser());
    const loginUrl = await victim.authorize(clientId);
    // The attacker's browser has the challenge value (it is in a URL) but not the victim's binding cookie.
    const attacker = new Portal(app, app.browser());
    const res = await attacker.loginWithPassword(loginUrl, user.email, user.password);
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_request');
    expect(JSON.stringify(res.body)).toMatch(/another browser/);
  });

  it('forces a fresh login for prompt=login and for an exceeded max_age, and never continues as another user than id_token_hint names', async () => {
    const user = await app.user();
    const portal = new Portal(app, app.browser());
    const first = await portal.loginWithPassword(await portal.authorize(clientId), user.email, user.password);
    await portal.toCallback(first.body.redirect_to as string);
    for (const params of [{ prompt: 'login' }, { max_age: '0' }] as Array<Record<string, string>>) {
      const loginUrl = await portal.authorize(clientId, params);
      expect(loginUrl).toContain('/login?');
      const view = await portal.get(`/auth/login?login_challenge=${encodeURIComponent(Portal.challengeOf(loginUrl, 'login'))}`);
      expect(view.body['can_continue']).toBe(false);
      const cont = await portal.post('/auth/login/continue', { login_challenge: Portal.challengeOf(loginUrl, 'login') });
      expect(cont.status).toBe(401);
      expect(cont.body['error']).toBe('login_required');
    }
    // Another user's ID token as id_token_hint: this browser's session is not theirs.
    const other = await app.user();
    const otherPortal = new Portal(app, app.browser());
    const otherLogin = await otherPortal.loginWithPassword(await otherPortal.authorize(clientId), other.email, other.password);
    const otherTokens = await otherPortal.redeem(clientId, (await otherPortal.toCallback(otherLogin.body.redirect_to as string)).searchParams.get('code') as string);
    const hinted = await portal.authorize(clientId, { id_token_hint: otherTokens['id_token'] as string });
    expect(hinted).toContain('/login?');
    const view = await portal.get(`/auth/login?login_challenge=${encodeURIComponent(Portal.challengeOf(hinted, 'login'))}`);
    expect(view.body['can_continue']).toBe(false);
    expect((await portal.post('/auth/login/continue', { login_challenge: Portal.challengeOf(hinted, 'login') })).status).toBe(401);
  });

  it('lets the user cancel: the client gets access_denied', async () => {
    const portal = new Portal(app, app.browser());
    const loginUrl = await portal.authorize(clientId);
    const res = await portal.post('/auth/login/reject', { login_challenge: Portal.challengeOf(loginUrl, 'login') });
    expect(res.status).toBe(200);
    const callback = new URL(await portal.follow(res.body['redirect_to'] as string));
    expect(callback.searchParams.get('error')).toBe('access_denied');
  });

  it('gives a remembered login a persistent cookie, and answers malformed flow calls with 400s', async () => {
    const user = await app.user();
    const portal = new Portal(app, app.browser());
    const loginUrl = await portal.authorize(clientId);
    const login = await portal.loginWithPassword(loginUrl, user.email, user.password, true);
    expect(login.headers.getSetCookie().find((c) => c.startsWith('tessera_login='))).toMatch(/Max-Age=\d+/);
    for (const body of [{}, { login_challenge: 'x', email: 1, password: 2 }, { login_challenge: 'x', email: 'a@b.c', password: 'p', remember: 'yes' }]) {
      const res = await portal.post('/auth/login/password', body);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    }
    expect((await portal.get('/auth/login')).status).toBe(400);
    expect((await portal.get('/auth/login?login_challenge=nope')).status).toBe(404);
  });

  it('re-hashes a password stored with other argon2id parameters at the next successful login', async () => {
    const user = await app.user();
    const weaker = new PasswordHasher({ memoryCost: 512, timeCost: 1, parallelism: 1 });
    const ds = app.authDataSource();
    const p = (n: number) => (engine === 'postgres' ? `$${n}` : '?');
    await ds.query(`UPDATE "users" SET "password_hash" = ${p(1)} WHERE "sub" = ${p(2)}`, [await weaker.hash(user.password), user.sub]);
    const portal = new Portal(app, app.browser());
    expect((await portal.loginWithPassword(await portal.authorize(clientId), user.email, user.password)).status).toBe(200);
    const [row] = (await ds.query(`SELECT "password_hash" FROM "users" WHERE "sub" = ${p(1)}`, [user.sub])) as Array<{ password_hash: string }>;
    expect(row?.password_hash).toMatch(/^\$argon2id\$v=19\$m=1024,t=1,p=1\$/);
    expect(await TEST_HASHER.verify(row?.password_hash as string, user.password)).toBe(true);
  });
});
