import { testEngines } from '@tessera/test-kit';
import { startPlatformApp, type PlatformApp } from '../support/platform-app';
import { claimsOf, Portal, signInToAccount } from '../support/portal';
import { ACR_MFA, authDataSource, enrollTotp, outboxEvents, secondFactor } from './mfa-support';

describe.each(testEngines())('recovery codes (%s)', (engine) => {
  let app: PlatformApp;
  let clientId: string;
  let now = Date.now();

  beforeAll(async () => {
    app = await startPlatformApp({ engine, clock: () => now });
    clientId = (await app.client()).client_id;
  });
  afterAll(() => app.close());

  /** A password login on a new browser that then needs a second factor (the user has TOTP). */
  async function passwordStep(user: { email: string; password: string }) {
    const portal = new Portal(app, app.browser());
    const loginUrl = await portal.authorize(clientId);
    const password = await portal.loginWithPassword(loginUrl, user.email, user.password);
    expect(password.body).toMatchObject({ next: 'second_factor' });
    return { portal, loginUrl };
  }

  it('generates ten distinct codes, shown once and stored hashed', async () => {
    const user = await app.user();
    const { account } = await signInToAccount(app, user);
    const generated = await account<{ codes: string[] }>('POST', '/mfa/recovery-codes');
    expect(generated.status).toBe(200);
    expect(generated.headers.get('cache-control')).toBe('no-store');
    const { codes } = generated.body;
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(/^[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}$/);
    expect((await account('GET', '/mfa')).body).toMatchObject({ recovery_codes: { remaining: 10, generated_at: Math.floor(now / 1000) } });
    expect(await outboxEvents(app, 'mfa.changed')).toContainEqual({ sub: user.sub, factor: 'recovery_code', change: 'added' });

    const stored = JSON.stringify(await authDataSource(app).query('SELECT * FROM "mfa_recovery_codes"'));
    for (const code of codes) {
      expect(stored).not.toContain(code);
      expect(stored).not.toContain(code.replace(/-/g, ''));
    }
  });

  it('do not make MFA required on their own', async () => {
    const user = await app.user();
    const { account } = await signInToAccount(app, user);
    expect((await account('POST', '/mfa/recovery-codes')).status).toBe(200);
    expect((await account('GET', '/mfa')).body).toMatchObject({ mfa_required: false });
    const portal = new Portal(app, app.browser());
    const login = await portal.loginWithPassword(await portal.authorize(clientId), user.email, user.password);
    expect(login.body.redirect_to).toBeDefined();
  });

  it('completes a login in place of the app; a wrong code is refused, and a used code the second time', async () => {
    const user = await app.user();
    const { account } = await signInToAccount(app, user);
    await enrollTotp(account, now);
    const { codes } = (await account<{ codes: string[] }>('POST', '/mfa/recovery-codes')).body;
    const code = codes[3] as string;

    const first = await passwordStep(user);
    expect((await first.portal.get('/auth/login?login_challenge=' + encodeURIComponent(Portal.challengeOf(first.loginUrl, 'login')))).status).toBe(200);
    const wrong = await secondFactor(first.portal, 'recovery-code', first.loginUrl, 'abcd-efgh-jkmn-pqrs');
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({ error: 'invalid_credentials', attempts_remaining: 4 });
    // Typed the way people type: upper case, without dashes.
    const right = await secondFactor(first.portal, 'recovery-code', first.loginUrl, code.replace(/-/g, '').toUpperCase());
    expect(right.status).toBe(200);
    const callback = await first.portal.toCallback(right.body.redirect_to as string);
    const idToken = claimsOf((await first.portal.redeem(clientId, callback.searchParams.get('code') as string))['id_token'] as string);
    expect(idToken).toMatchObject({ acr: ACR_MFA });
    expect(idToken['amr']).toEqual(expect.arrayContaining(['pwd', 'otp', 'mfa']));
    expect((await account('GET', '/mfa')).body).toMatchObject({ recovery_codes: { remaining: 9 } });

    const second = await passwordStep(user);
    const reused = await secondFactor(second.portal, 'recovery-code', second.loginUrl, code);
    expect(reused.status).toBe(401);
    expect(reused.body.error).toBe('invalid_credentials');
    expect((await secondFactor(second.portal, 'recovery-code', second.loginUrl, codes[4] as string)).status).toBe(200);
  });

  it("does not accept another user's code", async () => {
    const alice = await app.user();
    const bob = await app.user();
    await enrollTotp((await signInToAccount(app, alice)).account, now);
    const bobsCodes = (await (await signInToAccount(app, bob)).account<{ codes: string[] }>('POST', '/mfa/recovery-codes')).body.codes;
    const login = await passwordStep(alice);
    expect((await secondFactor(login.portal, 'recovery-code', login.loginUrl, bobsCodes[0] as string)).status).toBe(401);
  });

  it('uses a code once even when two logins race with it', async () => {
    const user = await app.user();
    const { account } = await signInToAccount(app, user);
    await enrollTotp(account, now);
    const code = (await account<{ codes: string[] }>('POST', '/mfa/recovery-codes')).body.codes[0] as string;
    // Two browsers past the password step (one password check at a time per account), then the race on the code.
    const logins = [await passwordStep(user), await passwordStep(user)];
    const answers = await Promise.all(logins.map((l) => secondFactor(l.portal, 'recovery-code', l.loginUrl, code)));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 401]);
  });

  it('replaces the whole set when regenerated, which needs a recent sign-in or the password once a set exists', async () => {
    const user = await app.user();
    const { account } = await signInToAccount(app, user);
    await enrollTotp(account, now);
    const old = (await account<{ codes: string[] }>('POST', '/mfa/recovery-codes')).body.codes;
    now += 6 * 60_000;
    const stale = await account('POST', '/mfa/recovery-codes');
    expect(stale.status).toBe(403);
    expect(stale.body['error']).toBe('reauthentication_required');
    const renewed = await account<{ codes: string[] }>('POST', '/mfa/recovery-codes', { current_password: user.password });
    expect(renewed.status).toBe(200);
    expect(renewed.body.codes.filter((c) => old.includes(c))).toEqual([]);
    expect((await account('GET', '/mfa')).body).toMatchObject({ recovery_codes: { remaining: 10 } });

    const login = await passwordStep(user);
    expect((await secondFactor(login.portal, 'recovery-code', login.loginUrl, old[0] as string)).status).toBe(401);
    expect((await secondFactor(login.portal, 'recovery-code', login.loginUrl, renewed.body.codes[0] as string)).status).toBe(200);
  });
});
