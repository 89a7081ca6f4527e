import { testEngines } from '@tessera/test-kit';
import { startPlatformApp, type PlatformApp } from '../support/platform-app';
import { claimsOf, Portal, signInToAccount } from '../support/portal';
import { ACR_MFA, authDataSource, enrollTotp, outboxEvents, secondFactor, totpCode } from './mfa-support';

describe.each(testEngines())('TOTP second factor (%s)', (engine) => {
  let app: PlatformApp;
  let clientId: string;
  let now = Date.now();
  /** The next 30-second step: each TOTP code is good once, so a new login needs a new step. */
  const nextStep = () => (now += 30_000);

  beforeAll(async () => {
    app = await startPlatformApp({ engine, clock: () => now });
    clientId = (await app.client()).client_id;
  });
  afterAll(() => app.close());

  it('enrolls an authenticator app (secret, otpauth URI, QR code), confirmed by a first code', async () => {
    const user = await app.user();
    const { account } = await signInToAccount(app, user);
    expect((await account('GET', '/mfa')).body).toEqual({
      mfa_required: false,
      totp: { enrolled: false, enrolled_at: null, setup_pending: false },
      recovery_codes: { remaining: 0, generated_at: null },
      email_code: { available: true },
    });

    const started = await account<{ secret: string; otpauth_uri: string; qr_code: string }>('POST', '/mfa/totp');
    expect(started.status).toBe(200);
    expect(started.headers.get('cache-control')).toBe('no-store');
    expect(started.body.secret).toMatch(/^[A-Z2-7]{32}$/);
    const uri = new URL(started.body.otpauth_uri);
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(decodeURIComponent(uri.pathname)).toBe(`/id.tessera.test:${user.email}`);
    expect(uri.searchParams.get('secret')).toBe(started.body.secret);
    expect(uri.searchParams.get('issuer')).toBe('id.tessera.test');
    expect(started.body.qr_code).toMatch(/^data:image\/png;base64,[A-Za-z0-9+/]+=*$/);
    expect((await account('GET', '/mfa')).body).toMatchObject({ mfa_required: false, totp: { enrolled: false, setup_pending: true } });

    const wrong = await account('POST', '/mfa/totp/confirm', { code: '000000' === (await totpCode(started.body.secret, now)) ? '111111' : '000000' });
    expect(wrong.status).toBe(400);
    expect(wrong.body['error']).toBe('invalid_request');
    expect((await account('POST', '/mfa/totp/confirm', {})).status).toBe(400);

    const confirmed = await account('POST', '/mfa/totp/confirm', { code: await totpCode(started.body.secret, now) });
    expect(confirmed.status).toBe(200);
    expect((await account('GET', '/mfa')).body).toMatchObject({ mfa_required: true, totp: { enrolled: true, enrolled_at: Math.floor(now / 1000), setup_pending: false } });
    expect(await outboxEvents(app, 'mfa.changed')).toContainEqual({ sub: user.sub, factor: 'totp', change: 'added' });

    // A second app needs the first one removed.
    expect((await account('POST', '/mfa/totp')).body).toMatchObject({ error: 'conflict' });
  });

  it('makes every password login ask for the code, then signs in with acr mfa and amr pwd, otp, mfa', async () => {
    const user = await app.user();
    const secret = await enrollTotp((await signInToAccount(app, user)).account, now);

    const portal = new Portal(app, app.browser());
    const loginUrl = await portal.authorize(clientId);
    const password = await portal.loginWithPassword(loginUrl, user.email, user.password);
    expect(password.status).toBe(200);
    expect(password.body).toEqual({ next: 'second_factor', factors: ['totp', 'email_code'] });
    // Half signed in: the session is no login yet.
    expect((await portal.post('/auth/login/continue', { login_challenge: Portal.challengeOf(loginUrl, 'login') })).status).toBe(401);
    const before = portal.browser.cookie('tessera_login');

    nextStep();
    const totp = await secondFactor(portal, 'totp', loginUrl, await totpCode(secret, now));
    expect(totp.status).toBe(200);
    expect(totp.headers.get('cache-control')).toBe('no-store');
    expect(totp.body.redirect_to).toContain('/oauth2/authorize/resume');
    // A new session secret at the second factor (no session fixation).
    expect(portal.browser.cookie('tessera_login')).not.toBe(before);

    const callback = await portal.toCallback(totp.body.redirect_to as string);
    const idToken = claimsOf((await portal.redeem(clientId, callback.searchParams.get('code') as string))['id_token'] as string);
    expect(idToken).toMatchObject({ sub: user.sub, acr: ACR_MFA });
    expect([...(idToken['amr'] as string[])].sort()).toEqual(['mfa', 'otp', 'pwd']);
  });

  it('accepts a code once: the same code is refused afterwards, in this browser or another', async () => {
    const user = await app.user();
    const secret = await enrollTotp((await signInToAccount(app, user)).account, now);
    nextStep();
    const code = await totpCode(secret, now);

    const first = new Portal(app, app.browser());
    const firstUrl = await first.authorize(clientId);
    await first.loginWithPassword(firstUrl, user.email, user.password);
    expect((await secondFactor(first, 'totp', firstUrl, code)).status).toBe(200);

    const second = new Portal(app, app.browser());
    const secondUrl = await second.authorize(clientId);
    await second.loginWithPassword(secondUrl, user.email, user.password);
    const replay = await secondFactor(second, 'totp', secondUrl, code);
    expect(replay.status).toBe(401);
    expect(replay.body).toMatchObject({ error: 'invalid_credentials', attempts_remaining: 4 });
    // The code of the previous step is inside the drift window, but older than the one used: refused too.
    expect((await secondFactor(second, 'totp', secondUrl, await totpCode(secret, now - 30_000))).status).toBe(401);

    nextStep();
    expect((await secondFactor(second, 'totp', secondUrl, await totpCode(secret, now))).status).toBe(200);
  });

  it('lets only one of two simultaneous logins with the same code through', async () => {
    const user = await app.user();
    const secret = await enrollTotp((await signInToAccount(app, user)).account, now);
    const logins = await Promise.all(
      [0, 1].map(async () => {
        const portal = new Portal(app, app.browser());
        const loginUrl = await portal.authorize(clientId);
        await portal.loginWithPassword(loginUrl, user.email, user.password);
        return { portal, loginUrl };
      }),
    );
    nextStep();
    const code = await totpCode(secret, now);
    const answers = await Promise.all(logins.map(({ portal, loginUrl }) => secondFactor(portal, 'totp', loginUrl, code)));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 401]);
  });

  it('accepts the codes of the neighbouring steps (clock drift), not older or newer ones', async () => {
    const user = await app.user();
    const secret = await enrollTotp((await signInToAccount(app, user)).account, now);
    const login = async () => {
      const portal = new Portal(app, app.browser());
      const loginUrl = await portal.authorize(clientId);
      await portal.loginWithPassword(loginUrl, user.email, user.password);
      return { portal, loginUrl };
    };
    now += 5 * 30_000;
    const a = await login();
    expect((await secondFactor(a.portal, 'totp', a.loginUrl, await totpCode(secret, now - 60_000))).status).toBe(401);
    expect((await secondFactor(a.portal, 'totp', a.loginUrl, await totpCode(secret, now + 60_000))).status).toBe(401);
    expect((await secondFactor(a.portal, 'totp', a.loginUrl, await totpCode(secret, now - 30_000))).status).toBe(200);
    const b = await login();
    expect((await secondFactor(b.portal, 'totp', b.loginUrl, await totpCode(secret, now + 30_000))).status).toBe(200);
  });

  it('steps up a password session when a client asks for MFA: continue → second_factor → TOTP', async () => {
    const user = await app.user();
    const { portal, account } = await signInToAccount(app, user);
    const secret = await enrollTotp(account, now);

    const loginUrl = await portal.authorize(clientId, { acr_values: ACR_MFA });
    expect(loginUrl).toContain('/login?login_challenge=');
    const view = await portal.get(`/auth/login?login_challenge=${encodeURIComponent(Portal.challengeOf(loginUrl, 'login'))}`);
    expect(view.body).toMatchObject({ session: { sub: user.sub }, can_continue: true, acr_values: [ACR_MFA] });
    const continued = await portal.post('/auth/login/continue', { login_challenge: Portal.challengeOf(loginUrl, 'login') });
    expect(continued.body).toEqual({ next: 'second_factor', factors: ['totp', 'email_code'] });

    nextStep();
    const totp = await secondFactor(portal, 'totp', loginUrl, await totpCode(secret, now));
    expect(totp.status).toBe(200);
    const callback = await portal.toCallback(totp.body.redirect_to as string);
    const idToken = claimsOf((await portal.redeem(clientId, callback.searchParams.get('code') as string))['id_token'] as string);
    expect(idToken['acr']).toBe(ACR_MFA);
    expect(idToken['amr']).toEqual(expect.arrayContaining(['pwd', 'otp', 'mfa']));
  });

  it('does not let a step-up answer a challenge that demands a fresh login (prompt=login)', async () => {
    const user = await app.user();
    const { portal, account } = await signInToAccount(app, user);
    const secret = await enrollTotp(account, now);
    const loginUrl = await portal.authorize(clientId, { acr_values: ACR_MFA, prompt: 'login' });
    nextStep();
    const res = await secondFactor(portal, 'totp', loginUrl, await totpCode(secret, now));
    expect(res.status).toBe(401);
    expect(res.body.error).toBe('login_required');
  });

  it("requires MFA for a client whose policy asks for it (default_acr_values), even without a factor that makes it required", async () => {
    const user = await app.user();
    const strict = (await app.client({ default_acr_values: [ACR_MFA] })).client_id;
    const portal = new Portal(app, app.browser());
    const loginUrl = await portal.authorize(strict);
    expect((await portal.loginWithPassword(loginUrl, user.email, user.password)).body).toEqual({ next: 'second_factor', factors: ['email_code'] });
  });

  it('removes the authenticator only after a recent sign-in or with the current password', async () => {
    const user = await app.user();
    const { account } = await signInToAccount(app, user);
    await enrollTotp(account, now);
    now += 6 * 60_000;
    const stale = await account('DELETE', '/mfa/totp');
    expect(stale.status).toBe(403);
    expect(stale.body).toMatchObject({ error: 'reauthentication_required', max_age: 300 });
    expect((await account('GET', '/mfa')).body).toMatchObject({ totp: { enrolled: true } });
    expect((await account('DELETE', '/mfa/totp', { current_password: 'not-the-password' })).status).toBe(401);

    expect((await account('DELETE', '/mfa/totp', { current_password: user.password })).status).toBe(204);
    expect((await account('GET', '/mfa')).body).toMatchObject({ mfa_required: false, totp: { enrolled: false } });
    expect(await outboxEvents(app, 'mfa.changed')).toContainEqual({ sub: user.sub, factor: 'totp', change: 'removed' });
    expect((await account('DELETE', '/mfa/totp', { current_password: user.password })).status).toBe(404);

    // Password alone signs in again.
    const portal = new Portal(app, app.browser());
    const login = await portal.loginWithPassword(await portal.authorize(clientId), user.email, user.password);
    expect(login.body.redirect_to).toBeDefined();
  });

  it('stores the secret encrypted under the master key, never in clear', async () => {
    const user = await app.user();
    const secret = await enrollTotp((await signInToAccount(app, user)).account, now);
    const rows = (await authDataSource(app).query('SELECT * FROM "mfa_totp"')) as Array<Record<string, unknown>>;
    const row = rows.find((r) => r['sub'] === user.sub) as Record<string, unknown>;
    const stored = JSON.stringify(row);
    expect(stored).not.toContain(secret);
    expect(stored.toLowerCase()).not.toContain(secret.toLowerCase());
    // A compact JWE (five parts), direct encryption with A256GCM.
    const jwe = row['secret_encrypted'] as string;
    expect(jwe.split('.')).toHaveLength(5);
    expect(JSON.parse(Buffer.from(jwe.split('.')[0] as string, 'base64url').toString())).toMatchObject({ alg: 'dir', enc: 'A256GCM' });
  });

  it("deletes the user's MFA data with the account", async () => {
    const user = await app.user();
    const { account } = await signInToAccount(app, user);
    await enrollTotp(account, now);
    expect((await account('POST', '/mfa/recovery-codes')).status).toBe(200);
    expect((await account('DELETE', '')).status).toBe(204);
    const ds = authDataSource(app);
    for (const table of ['mfa_totp', 'mfa_recovery_codes']) {
      const rows = (await ds.query(`SELECT "sub" FROM "${table}"`)) as Array<{ sub: string }>;
      expect(rows.filter((r) => r.sub === user.sub)).toEqual([]);
    }
  });
});
