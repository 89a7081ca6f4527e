import { testEngines } from '@tessera/test-kit';
import { PasswordHasher } from '../../src';
import { startPlatformApp, TEST_HASHER, type PlatformApp } from '../support/platform-app';
import { Portal } from '../support/portal';

/** Counts the argon2 work, to prove unknown accounts cost the same as known ones. */
class CountingHasher extends PasswordHasher {
  verifies = 0;
  constructor() {
    super({ memoryCost: 1024, timeCost: 1, parallelism: 1 });
  }
  override verify(phc: string, password: string) {
    this.verifies++;
    return TEST_HASHER.verify(phc, password);
  }
}

describe.each(testEngines())('brute-force protection (%s)', (engine) => {
  let app: PlatformApp;
  let clientId: string;
  let now = Date.now();
  const hasher = new CountingHasher();
  const advance = (seconds: number) => (now += seconds * 1000);

  beforeAll(async () => {
    app = await startPlatformApp({ engine, clock: () => now, passwordHasher: hasher });
    clientId = (await app.client()).client_id;
  });
  afterAll(() => app.close());

  /** A fresh browser on a login page, as an attacker would have. */
  const attacker = async () => {
    const portal = new Portal(app, app.browser());
    return { portal, loginUrl: await portal.authorize(clientId) };
  };

  it('runs the same argon2 verify for an unknown account as for a known one', async () => {
    const user = await app.user();
    const { portal, loginUrl } = await attacker();
    const before = hasher.verifies;
    await portal.loginWithPassword(loginUrl, user.email, 'wrong password 1');
    expect(hasher.verifies - before).toBe(1);
    await portal.loginWithPassword(loginUrl, 'no-such-user@example.com', 'wrong password 1');
    expect(hasher.verifies - before).toBe(2);
  });

  it('makes failed attempts on one account wait longer and longer, then locks its password attempts, mails the owner, and spares existing sessions', async () => {
    const user = await app.user();
    // The owner signed in earlier in their own browser.
    const owner = new Portal(app, app.browser());
    const ownerLogin = await owner.loginWithPassword(await owner.authorize(clientId), user.email, user.password);
    expect(ownerLogin.status).toBe(200);

    const { portal, loginUrl } = await attacker();
    for (let i = 0; i < 3; i++) expect((await portal.loginWithPassword(loginUrl, user.email, `guess ${i}`)).status).toBe(401);
    // The fourth attempt right away must wait, whatever the password, and no hash work is done.
    const verifies = hasher.verifies;
    const waiting = await portal.loginWithPassword(loginUrl, user.email, user.password);
    expect(waiting.status).toBe(429);
    expect(waiting.body).toMatchObject({ error: 'too_many_attempts' });
    expect((waiting.body as { retry_after: number }).retry_after).toBeGreaterThanOrEqual(1);
    expect(hasher.verifies).toBe(verifies);

    // Keep guessing, each time after the delay, up to the lock.
    for (let i = 3; i < 10; i++) {
      advance(60);
      expect((await portal.loginWithPassword(loginUrl, user.email, `guess ${i}`)).status).toBe(401);
    }
    advance(60);
    const locked = await portal.loginWithPassword(loginUrl, user.email, user.password);
    expect(locked.status).toBe(429);
    expect((locked.body as { retry_after: number }).retry_after).toBeGreaterThan(600);
    expect((await app.outbox('account.locked')).map((e) => e.payload['sub'])).toContain(user.sub);
    expect((await app.outbox('mail.requested')).some((e) => e.payload['to'] === user.email && e.payload['template'] === 'account-locked')).toBe(true);

    // The owner's session still works (a second client signs in without a password) ...
    const other = (await app.client()).client_id;
    const cont = await owner.post('/auth/login/continue', { login_challenge: Portal.challengeOf(await owner.authorize(other, { prompt: 'consent' }), 'login') });
    expect(cont.status).toBe(200);
    // ... and the owner's browser, known from a successful sign-in, may still use the password.
    const again = await owner.loginWithPassword(await owner.authorize(other, { prompt: 'login' }), user.email, user.password);
    expect(again.status).toBe(200);

    // After the lock, a stranger's correct password works again.
    advance(16 * 60);
    const later = await attacker();
    expect((await later.portal.loginWithPassword(later.loginUrl, user.email, user.password)).status).toBe(200);
  });

  it('throttles one IP spraying many accounts, and ignores X-Forwarded-For from an untrusted peer', async () => {
    advance(2 * 3600);
    const { portal, loginUrl } = await attacker();
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const forged = { 'x-forwarded-for': `203.0.113.${i}` };
      const res = await portal.post('/auth/login/password', { login_challenge: Portal.challengeOf(loginUrl, 'login'), email: `spray${i}@example.com`, password: 'Summer2026!' }, forged);
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(10)).toContain(429);
  });
});

describe('client IPs behind a trusted proxy', () => {
  let app: PlatformApp;
  beforeAll(async () => {
    app = await startPlatformApp({ env: { TESSERA_TRUSTED_PROXIES: '127.0.0.1' } });
  });
  afterAll(() => app.close());

  it('counts each forwarded client separately', async () => {
    const clientId = (await app.client()).client_id;
    const portal = new Portal(app, app.browser());
    const loginUrl = await portal.authorize(clientId);
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const res = await portal.post('/auth/login/password', { login_challenge: Portal.challengeOf(loginUrl, 'login'), email: `spray${i}@example.com`, password: 'Summer2026!' }, { 'x-forwarded-for': `198.51.100.7, 203.0.113.${i}` });
      statuses.push(res.status);
    }
    expect(statuses.every((s) => s === 401)).toBe(true);
  });
});
