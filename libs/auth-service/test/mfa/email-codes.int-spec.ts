import { testEngines } from '@tessera/test-kit';
import { startPlatformApp, type PlatformApp } from '../support/platform-app';
import { claimsOf, Portal } from '../support/portal';
import { ACR_MFA, authDataSource, lastMailedCode, outboxEvents, secondFactor } from './mfa-support';

describe.each(testEngines())('email codes as a second factor (%s)', (engine) => {
  let app: PlatformApp;
  let clientId: string;
  let now = Date.now();

  beforeAll(async () => {
    // Challenges outlive a code here, so that a code's own expiry is what the test sees.
    app = await startPlatformApp({ engine, clock: () => now, env: { TESSERA_CHALLENGE_TTL: '3600' } });
    clientId = (await app.client()).client_id;
  });
  afterAll(() => app.close());

  /** A password login for a client that asks for MFA: the user has only their verified email. */
  async function passwordStep(user: { email: string; password: string }) {
    const portal = new Portal(app, app.browser());
    const loginUrl = await portal.authorize(clientId, { acr_values: ACR_MFA });
    const password = await portal.loginWithPassword(loginUrl, user.email, user.password);
    expect(password.body).toEqual({ next: 'second_factor', factors: ['email_code'] });
    return { portal, loginUrl };
  }

  it('mails a code through mail.requested and signs in with it (acr mfa, amr otp)', async () => {
    const user = await app.user();
    const { portal, loginUrl } = await passwordStep(user);
    const sent = await secondFactor(portal, 'email-code/send', loginUrl);
    expect(sent.status).toBe(200);
    expect(sent.body).toEqual({ sent_to: `${user.email[0]}•••@example.com`, expires_in: 600 });
    const mail = (await outboxEvents(app, 'mail.requested')).filter((m) => m['to'] === user.email);
    expect(mail).toEqual([{ to: user.email, template: 'mfa-email-code', params: { sealed: expect.any(String) } }]);
    const code = await lastMailedCode(app, user.email);
    expect(code).toMatch(/^\d{6}$/);
    // The outbox (and so the queue) holds the code only sealed under the master key.
    expect(JSON.stringify(mail)).not.toContain(code);
    // Stored as an HMAC, not the code.
    expect(JSON.stringify(await authDataSource(app).query('SELECT * FROM "mfa_email_codes"'))).not.toContain(`"${code}"`);

    const wrong = await secondFactor(portal, 'email-code', loginUrl, code === '000000' ? '111111' : '000000');
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({ error: 'invalid_credentials', attempts_remaining: 4 });
    const right = await secondFactor(portal, 'email-code', loginUrl, code);
    expect(right.status).toBe(200);
    const callback = await portal.toCallback(right.body.redirect_to as string);
    const idToken = claimsOf((await portal.redeem(clientId, callback.searchParams.get('code') as string))['id_token'] as string);
    expect(idToken).toMatchObject({ sub: user.sub, acr: ACR_MFA });
    expect(idToken['amr']).toEqual(expect.arrayContaining(['pwd', 'otp', 'mfa']));
  });

  it('uses a code once', async () => {
    const user = await app.user();
    const { portal, loginUrl } = await passwordStep(user);
    await secondFactor(portal, 'email-code/send', loginUrl);
    const code = await lastMailedCode(app, user.email);
    expect((await secondFactor(portal, 'email-code', loginUrl, code)).status).toBe(200);
    // Another challenge on the same login session (a browser holding only its cookie, so the
    // token service has no OP session to answer from) cannot reuse the code.
    const other = new Portal(app, app.browser());
    other.browser.setCookie('tessera_login', portal.browser.cookie('tessera_login') as string);
    const again = await other.authorize(clientId, { acr_values: ACR_MFA });
    const reused = await secondFactor(other, 'email-code', again, code);
    expect(reused.status).toBe(400);
    expect(reused.body.error).toBe('invalid_request');
  });

  it('expires a code after ten minutes, and a new code retires the previous one', async () => {
    const user = await app.user();
    const { portal, loginUrl } = await passwordStep(user);
    await secondFactor(portal, 'email-code/send', loginUrl);
    const first = await lastMailedCode(app, user.email);

    // Not again at once (no mail bombing) ...
    const tooSoon = await secondFactor(portal, 'email-code/send', loginUrl);
    expect(tooSoon.status).toBe(429);
    expect(tooSoon.body).toMatchObject({ error: 'too_many_attempts' });
    // ... but after half a minute: the first code dies.
    now += 31_000;
    expect((await secondFactor(portal, 'email-code/send', loginUrl)).status).toBe(200);
    const second = await lastMailedCode(app, user.email);
    if (first !== second) expect((await secondFactor(portal, 'email-code', loginUrl, first)).status).toBe(401);

    now += 10 * 60_000 + 1000;
    const expired = await secondFactor(portal, 'email-code', loginUrl, second);
    expect(expired.status).toBe(400);
    expect(expired.body.error).toBe('invalid_request');
  });

  it('kills a code after three wrong tries', async () => {
    const user = await app.user();
    const { portal, loginUrl } = await passwordStep(user);
    await secondFactor(portal, 'email-code/send', loginUrl);
    const code = await lastMailedCode(app, user.email);
    const wrong = code === '999999' ? '888888' : '999999';
    for (let i = 0; i < 3; i++) expect((await secondFactor(portal, 'email-code', loginUrl, wrong)).status).toBe(401);
    const late = await secondFactor(portal, 'email-code', loginUrl, code);
    expect(late.status).toBe(400);
    expect(late.body.error).toBe('invalid_request');
    // A new code works (the session has two tries left).
    now += 31_000;
    await secondFactor(portal, 'email-code/send', loginUrl);
    expect((await secondFactor(portal, 'email-code', loginUrl, await lastMailedCode(app, user.email))).status).toBe(200);
  });

  it('binds a code to the login session it was sent for', async () => {
    const user = await app.user();
    const a = await passwordStep(user);
    const b = await passwordStep(user);
    await secondFactor(a.portal, 'email-code/send', a.loginUrl);
    const code = await lastMailedCode(app, user.email);
    const elsewhere = await secondFactor(b.portal, 'email-code', b.loginUrl, code);
    expect(elsewhere.status).toBe(400);
    expect((await secondFactor(a.portal, 'email-code', a.loginUrl, code)).status).toBe(200);
  });

  it('sends no code to an unverified address: such an account cannot even pass the password step', async () => {
    const user = await app.user();
    await authDataSource(app).query(`UPDATE "users" SET "email_verified" = ${engine === 'postgres' ? 'false' : '0'} WHERE "sub" = '${user.sub}'`);
    const portal = new Portal(app, app.browser());
    const loginUrl = await portal.authorize(clientId, { acr_values: ACR_MFA });
    const password = await portal.loginWithPassword(loginUrl, user.email, user.password);
    expect(password.status).toBe(403);
    expect(password.body).toMatchObject({ error: 'forbidden', reason: 'email_not_verified' });
    const send = await secondFactor(portal, 'email-code/send', loginUrl);
    expect(send.status).toBeGreaterThanOrEqual(400);
    expect(send.status).toBeLessThan(500);
    expect((await outboxEvents(app, 'mail.requested')).filter((m) => m['to'] === user.email && m['template'] === 'mfa-email-code')).toEqual([]);
  });
});
