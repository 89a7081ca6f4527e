import { testEngines } from '@tessera/test-kit';
import { startPlatformApp, type PlatformApp } from '../support/platform-app';
import { Portal, signInToAccount } from '../support/portal';
import { enrollTotp, outboxEvents, secondFactor, totpCode } from './mfa-support';

describe.each(testEngines())('second-factor brute force and misuse (%s)', (engine) => {
  let app: PlatformApp;
  let clientId: string;
  let now = Date.now();

  beforeAll(async () => {
    app = await startPlatformApp({ engine, clock: () => now });
    clientId = (await app.client()).client_id;
  });
  afterAll(() => app.close());

  async function userWithTotp() {
    const user = await app.user();
    const secret = await enrollTotp((await signInToAccount(app, user)).account, now);
    now += 30_000;
    return { ...user, secret };
  }

  async function passwordStep(user: { email: string; password: string }) {
    const portal = new Portal(app, app.browser());
    const loginUrl = await portal.authorize(clientId);
    expect((await portal.loginWithPassword(loginUrl, user.email, user.password)).body).toMatchObject({ next: 'second_factor' });
    return { portal, loginUrl };
  }

  /** A six-digit code that is none of the codes valid around now. */
  async function wrongCode(secret: string): Promise<string> {
    const valid = new Set(await Promise.all([-30_000, 0, 30_000].map((d) => totpCode(secret, now + d))));
    for (let n = 0; ; n++) {
      const candidate = String(n).padStart(6, '0');
      if (!valid.has(candidate)) return candidate;
    }
  }

  it('ends the login session at the fifth wrong code: even the right code is refused then', async () => {
    const user = await userWithTotp();
    const { portal, loginUrl } = await passwordStep(user);
    const wrong = await wrongCode(user.secret);
    for (let left = 4; left >= 1; left--) {
      const res = await secondFactor(portal, 'totp', loginUrl, wrong);
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ error: 'invalid_credentials', attempts_remaining: left });
    }
    // The limit counts every kind of code together.
    const fifth = await secondFactor(portal, 'recovery-code', loginUrl, 'aaaa-bbbb-cccc-dddd');
    expect(fifth.status).toBe(401);
    expect(fifth.body.error).toBe('login_required');

    const right = await secondFactor(portal, 'totp', loginUrl, await totpCode(user.secret, now));
    expect(right.status).toBe(401);
    expect(right.body.error).toBe('login_required');
    expect((await secondFactor(portal, 'email-code/send', loginUrl)).status).toBe(401);
    // Each wrong code was recorded for the audit trail.
    expect((await outboxEvents(app, 'login.failed')).filter((e) => e['sub'] === user.sub)).toHaveLength(5);

    // Starting again with the password works.
    const again = await portal.loginWithPassword(loginUrl, user.email, user.password);
    expect(again.body).toMatchObject({ next: 'second_factor' });
    expect((await secondFactor(portal, 'totp', loginUrl, await totpCode(user.secret, now))).status).toBe(200);
  });

  it('checks at most five codes per session even when they are sent all at once', async () => {
    const user = await userWithTotp();
    const { portal, loginUrl } = await passwordStep(user);
    const wrong = await wrongCode(user.secret);
    const answers = await Promise.all(Array.from({ length: 9 }, () => secondFactor(portal, 'totp', loginUrl, wrong)));
    expect(answers.every((a) => a.status === 401)).toBe(true);
    expect(answers.filter((a) => a.body.error === 'invalid_credentials').length).toBeLessThanOrEqual(4);
    // Only five codes were checked (each one a failed login in the audit trail).
    expect((await outboxEvents(app, 'login.failed')).filter((e) => e['sub'] === user.sub)).toHaveLength(5);
    expect((await secondFactor(portal, 'totp', loginUrl, await totpCode(user.secret, now))).body.error).toBe('login_required');
  });

  it('refuses a second-factor step without a pending login session in this browser', async () => {
    const user = await userWithTotp();
    const portal = new Portal(app, app.browser());
    const loginUrl = await portal.authorize(clientId);
    for (const path of ['totp', 'recovery-code', 'email-code', 'email-code/send'] as const) {
      const res = await secondFactor(portal, path, loginUrl, path === 'email-code/send' ? undefined : await totpCode(user.secret, now));
      expect(res.status).toBe(401);
      expect(res.body.error).toBe('login_required');
    }
  });

  it("does not carry one browser's pending login to another", async () => {
    const user = await userWithTotp();
    await passwordStep(user);
    const stranger = new Portal(app, app.browser());
    const strangerUrl = await stranger.authorize(clientId);
    const res = await secondFactor(stranger, 'totp', strangerUrl, await totpCode(user.secret, now));
    expect(res.status).toBe(401);
    expect(res.body.error).toBe('login_required');
  });

  it('needs the CSRF header, and answers bad input with a clear 400', async () => {
    const user = await userWithTotp();
    const { portal, loginUrl } = await passwordStep(user);
    const body = { login_challenge: Portal.challengeOf(loginUrl, 'login'), code: await totpCode(user.secret, now) };
    const forged = await portal.post('/auth/login/mfa/totp', body, { 'x-csrf-token': 'forged' });
    expect(forged.status).toBe(403);
    expect(forged.body['error']).toBe('csrf_check_failed');
    const crossSite = await portal.post('/auth/login/mfa/email-code/send', { login_challenge: body.login_challenge }, { origin: 'https://evil.example' });
    expect(crossSite.status).toBe(403);

    for (const bad of [{ ...body, code: 123456 }, { ...body, code: 'x'.repeat(65) }, { login_challenge: body.login_challenge }, { code: body.code }, { ...body, login_challenge: 42 }]) {
      const res = await portal.post('/auth/login/mfa/totp', bad);
      expect(res.status).toBe(400);
      expect(res.body['error']).toBe('invalid_request');
    }
    // None of that counted as a guess: the right code still works, with the full allowance.
    expect((await secondFactor(portal, 'totp', loginUrl, body.code)).status).toBe(200);
  });

  it('gives a pending login fifteen minutes after the password', async () => {
    const user = await userWithTotp();
    const { portal, loginUrl } = await passwordStep(user);
    now += 16 * 60_000;
    const late = await secondFactor(portal, 'totp', loginUrl, await totpCode(user.secret, now));
    expect(late.status).toBe(401);
    expect(late.body.error).toBe('login_required');
  });

  it('refuses codes for an hour once a user collected twenty wrong codes across sessions', async () => {
    const user = await userWithTotp();
    const wrong = await wrongCode(user.secret);
    for (let session = 0; session < 4; session++) {
      const { portal, loginUrl } = await passwordStep(user);
      for (let i = 0; i < 5; i++) await secondFactor(portal, 'totp', loginUrl, wrong);
    }
    const { portal, loginUrl } = await passwordStep(user);
    const locked = await secondFactor(portal, 'totp', loginUrl, await totpCode(user.secret, now));
    expect(locked.status).toBe(429);
    expect(locked.body).toMatchObject({ error: 'too_many_attempts' });
    expect((locked.body as { retry_after?: number }).retry_after).toBeGreaterThan(0);

    now += 61 * 60_000;
    const later = await passwordStep(user);
    expect((await secondFactor(later.portal, 'totp', later.loginUrl, await totpCode(user.secret, now))).status).toBe(200);
  });
});
