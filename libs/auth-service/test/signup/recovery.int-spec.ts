import { randomBytes } from 'node:crypto';
import { eventually, testEngines } from '@tessera/test-kit';
import { Mailbox, linkToken, logLine } from '../mail/mailbox';
import { startPlatformApp, type PlatformApp } from '../support/platform-app';
import { Portal, signInToAccount } from '../support/portal';
import { lookInto, sessionOf } from './support';

const NEW_PASSWORD = 'a brand new passphrase';
const settle = () => new Promise((r) => setTimeout(r, 1500));

describe.each(testEngines())('password reset (%s)', (engine) => {
  let app: PlatformApp;
  let mailbox: Mailbox;
  let look: ReturnType<typeof lookInto>;
  let now = Date.now();

  beforeAll(async () => {
    app = await startPlatformApp({ engine, clock: () => now });
    mailbox = Mailbox.of(app);
    look = lookInto(app);
  });
  afterAll(() => app.close());

  const askReset = (email: string, portal = new Portal(app, app.browser())) => portal.post('/auth/recovery', { email });
  const resetLink = async (email: string) => {
    expect((await askReset(email)).status).toBe(202);
    const mail = await mailbox.next(email, /Reset your password/);
    await logLine(app.logs, mail.file as string);
    return linkToken(mail, 'reset-password', app.issuer);
  };

  it('resets the password: the old one fails, the new one works, every session ends, the link works once', async () => {
    const user = await app.user();
    const elsewhere = await signInToAccount(app, user);
    expect(await sessionOf(elsewhere.portal, elsewhere.clientId)).toMatchObject({ sub: user.sub });

    const token = await resetLink(user.email);
    expect(await look.outboxText()).not.toContain(token);
    expect(app.logs.join('')).not.toContain(token);

    const portal = new Portal(app, app.browser());
    // A weak password is refused without spending the link.
    const weak = await portal.post('/auth/recovery/reset', { token, new_password: 'password1' });
    expect(weak.status).toBe(400);
    expect(weak.body).toMatchObject({ error: 'weak_password' });

    const done = await portal.post('/auth/recovery/reset', { token, new_password: NEW_PASSWORD });
    expect(done.status).toBe(200);
    expect(done.body).toEqual({ next: 'sign_in' });

    const replay = await portal.post('/auth/recovery/reset', { token, new_password: 'yet another passphrase' });
    expect(replay.status).toBe(400);
    expect(replay.body).toMatchObject({ error: 'invalid_link', reason: 'used' });

    // The other browser's session ended.
    expect(await sessionOf(elsewhere.portal, elsewhere.clientId)).toBeNull();
    // password.changed reached the token service: the tokens issued before are revoked.
    // Asked until it stops answering 200: the event arrives through the outbox relay and the queue,
    // which a loaded CI machine can keep past the 5 s of tries this loop used to allow.
    const status = await eventually(
      async () => {
        const answer = (await fetch(`${app.url}/auth/account`, { headers: { authorization: `Bearer ${elsewhere.accessToken}` } })).status;
        expect(answer).not.toBe(200);
        return answer;
      },
      { intervalMs: 100 },
    );
    expect(status).toBe(401);

    const login = new Portal(app, app.browser());
    const loginUrl = await login.authorize(elsewhere.clientId);
    expect((await login.loginWithPassword(loginUrl, user.email, user.password)).status).toBe(401);
    expect((await login.loginWithPassword(loginUrl, user.email, NEW_PASSWORD)).status).toBe(200);
  });

  it('refuses a link after 30 minutes, and spends the other outstanding links once one is used', async () => {
    const user = await app.user();
    const expiring = await resetLink(user.email);
    now += 30 * 60_000 + 1000;
    try {
      const expired = await new Portal(app, app.browser()).post('/auth/recovery/reset', { token: expiring, new_password: NEW_PASSWORD });
      expect(expired.status).toBe(400);
      expect(expired.body).toMatchObject({ error: 'invalid_link', reason: 'expired' });
    } finally {
      now -= 30 * 60_000 + 1000;
    }

    const first = await resetLink(user.email);
    const second = await resetLink(user.email);
    const portal = new Portal(app, app.browser());
    expect((await portal.post('/auth/recovery/reset', { token: second, new_password: NEW_PASSWORD })).status).toBe(200);
    const stale = await portal.post('/auth/recovery/reset', { token: first, new_password: 'yet another passphrase' });
    expect(stale.status).toBe(400);
    expect(stale.body).toMatchObject({ error: 'invalid_link' });
    // A verification link is not a reset link.
    const bogus = await portal.post('/auth/recovery/reset', { token: randomBytes(32).toString('base64url'), new_password: NEW_PASSWORD });
    expect(bogus.body).toMatchObject({ error: 'invalid_link', reason: 'unknown' });
  });

  it('lets only one of many concurrent resets with one link succeed', async () => {
    const user = await app.user();
    const token = await resetLink(user.email);
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => new Portal(app, app.browser()).post('/auth/recovery/reset', { token, new_password: `concurrent passphrase ${i}` })),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 400 && r.body['error'] === 'invalid_link')).toHaveLength(5);
  });

  it('answers an unknown address like a known one and mails nothing', async () => {
    const known = await app.user();
    const unknown = `nobody-${randomBytes(4).toString('hex')}@example.com`;
    const a = await askReset(known.email);
    const b = await askReset(unknown);
    expect(b.status).toBe(a.status);
    expect(b.body).toEqual(a.body);
    expect(a.body).toEqual({ next: 'check_email' });
    await mailbox.next(known.email);
    await settle();
    expect(mailbox.newFor(unknown)).toEqual([]);
    expect(await look.subOf(unknown)).toBeUndefined();
    // A malformed address is a 400 (it says nothing about accounts).
    expect((await askReset('not an address')).status).toBe(400);
  });

  it('sends one account at most 5 reset links an hour', async () => {
    const user = await app.user();
    for (let i = 0; i < 7; i++) expect((await askReset(user.email)).status).toBe(202);
    for (let i = 0; i < 5; i++) await mailbox.next(user.email);
    await settle();
    expect(mailbox.newFor(user.email)).toEqual([]);
    now += 3600_000 + 1000;
    try {
      await resetLink(user.email);
    } finally {
      now -= 3600_000 + 1000;
    }
  });

  it('marks the address verified: the reset proved control of it', async () => {
    const email = `unverified-${randomBytes(4).toString('hex')}@example.com`;
    await new Portal(app, app.browser()).post('/auth/signup', { email, password: 'a fine long passphrase' });
    await mailbox.next(email, /Confirm/);
    const sub = (await look.subOf(email)) as string;
    expect(await look.claimsOf(sub)).toMatchObject({ email_verified: false });
    const token = await resetLink(email);
    expect((await new Portal(app, app.browser()).post('/auth/recovery/reset', { token, new_password: NEW_PASSWORD })).status).toBe(200);
    expect(await look.claimsOf(sub)).toMatchObject({ email_verified: true });
  });

  it("refuses a deleted account's link", async () => {
    const user = await app.user();
    const token = await resetLink(user.email);
    const { account } = await signInToAccount(app, user);
    expect((await account('DELETE', '')).status).toBe(204);
    const res = await new Portal(app, app.browser()).post('/auth/recovery/reset', { token, new_password: NEW_PASSWORD });
    expect(res.body).toMatchObject({ error: 'invalid_link', reason: 'unknown' });
  });

  it('needs the CSRF header on both calls', async () => {
    for (const path of ['/auth/recovery', '/auth/recovery/reset']) {
      const res = await fetch(`${app.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'a@example.com' }) });
      expect(res.status).toBe(403);
    }
  });

  // Last: it moves the clock on for good and leaves the IP's failures counted.
  it('lifts a lock caused by guessing: the owner gets the lock notice, resets, and signs in at once', async () => {
    const user = await app.user();
    const { client_id } = await app.client();
    const attempt = async (password: string) => {
      now += 61_000;
      const portal = new Portal(app, app.browser());
      return portal.loginWithPassword(await portal.authorize(client_id), user.email, password);
    };
    for (let i = 0; i < 10; i++) expect((await attempt('wrong guess ' + i)).status).toBe(401);
    const notice = await mailbox.next(user.email, /paused/);
    expect(notice.text).toMatch(/paused until \d{4}-\d{2}-\d{2}T/);
    expect((await attempt(user.password)).status).toBe(429);

    const token = await resetLink(user.email);
    expect((await new Portal(app, app.browser()).post('/auth/recovery/reset', { token, new_password: NEW_PASSWORD })).status).toBe(200);
    expect((await attempt(NEW_PASSWORD)).status).toBe(200);
  });
});
