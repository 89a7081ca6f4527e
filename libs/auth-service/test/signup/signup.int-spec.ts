import { randomBytes } from 'node:crypto';
import { testEngines } from '@tessera/test-kit';
import { PasswordPolicy } from '../../src/passwords/password-policy';
import { Mailbox, linkToken, logLine } from '../mail/mailbox';
import { startPlatformApp, type PlatformApp } from '../support/platform-app';
import { claimsOf, Portal, signInToAccount } from '../support/portal';
import { cookieShape, lookInto } from './support';

const PASSWORD = 'a fine long passphrase';
const address = (name: string) => `${name}-${randomBytes(4).toString('hex')}@example.com`;

describe.each(testEngines())('sign-up and email verification (%s)', (engine) => {
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

  const signUp = (portal: Portal, body: Record<string, unknown>) => portal.post('/auth/signup', body);

  it('creates an unverified account, mails a verification link (a 0600 file), and the link verifies the address', async () => {
    const email = address('new');
    const portal = new Portal(app, app.browser());
    const res = await signUp(portal, { email, password: PASSWORD, claims: { given_name: 'Ada' } });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ next: 'verify_email' });
    expect(res.headers.get('cache-control')).toBe('no-store');

    const sub = (await look.subOf(email)) as string;
    expect(await look.claimsOf(sub)).toMatchObject({ email, email_verified: false, given_name: 'Ada' });

    const mail = await mailbox.next(email);
    expect(mail.mode).toBe(0o600);
    expect(require('node:fs').statSync(mailbox.dir).mode & 0o777).toBe(0o700);
    expect(mail.subject).toBe('Confirm your email address');
    expect(mail.html).toContain(`${app.issuer}/verify-email?token=`);
    const token = linkToken(mail, 'verify-email', app.issuer);
    // The log names the file; the token is stored hashed, sealed in the event, and never logged.
    expect(await logLine(app.logs, mail.file as string)).toContain('mail written to a file');
    expect(await look.outboxText()).not.toContain(token);
    expect(app.logs.join('')).not.toContain(token);

    const verified = await new Portal(app, app.browser()).post('/auth/verify-email', { token });
    expect(verified.status).toBe(200);
    expect(verified.body).toEqual({ email, email_verified: true, email_changed: false });
    expect(await look.claimsOf(sub)).toMatchObject({ email, email_verified: true });

    // The new account signs in with its password.
    const { client_id } = await app.client();
    const login = await portal.loginWithPassword(await portal.authorize(client_id), email, PASSWORD);
    expect(login.body.redirect_to).toBeDefined();
  });

  it('refuses a verification link a second time, and after 24 hours', async () => {
    const email = address('replay');
    const portal = new Portal(app, app.browser());
    await signUp(portal, { email, password: PASSWORD });
    const token = linkToken(await mailbox.next(email), 'verify-email', app.issuer);
    expect((await portal.post('/auth/verify-email', { token })).status).toBe(200);
    const replay = await portal.post('/auth/verify-email', { token });
    expect(replay.status).toBe(400);
    expect(replay.body).toMatchObject({ error: 'invalid_link', reason: 'used' });

    const later = address('expired');
    await signUp(portal, { email: later, password: PASSWORD });
    const expiring = linkToken(await mailbox.next(later), 'verify-email', app.issuer);
    now += 24 * 3600_000 + 1000;
    try {
      const expired = await portal.post('/auth/verify-email', { token: expiring });
      expect(expired.status).toBe(400);
      expect(expired.body).toMatchObject({ error: 'invalid_link', reason: 'expired' });
    } finally {
      now -= 24 * 3600_000 + 1000;
    }
    expect(await look.claimsOf((await look.subOf(later)) as string)).toMatchObject({ email_verified: false });

    for (const bogus of ['nope', randomBytes(32).toString('base64url'), 42, undefined]) {
      const res = await portal.post('/auth/verify-email', { token: bogus });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: 'invalid_link', reason: 'unknown' });
    }
  });

  it('answers a sign-up with an existing address exactly like a new one, does the same hash work, and tells the owner', async () => {
    const owner = await app.user();
    const hash = jest.spyOn(look.hasher(), 'hash');
    try {
      const fresh = await signUp(new Portal(app, app.browser()), { email: address('fresh'), password: PASSWORD });
      const freshHashes = hash.mock.calls.length;
      hash.mockClear();
      const taken = await signUp(new Portal(app, app.browser()), { email: owner.email.toUpperCase(), password: PASSWORD });
      expect(taken.status).toBe(fresh.status);
      expect(taken.body).toEqual(fresh.body);
      expect(hash.mock.calls.length).toBe(freshHashes);
      expect(freshHashes).toBe(1);
    } finally {
      hash.mockRestore();
    }
    const notice = await mailbox.next(owner.email);
    expect(notice.subject).toBe('Someone tried to sign up with your address');
    expect(notice.text).not.toMatch(/token=/);
    // Nothing changed for the owner: same account, same password.
    expect(await look.subOf(owner.email)).toBe(owner.sub);
    const portal = new Portal(app, app.browser());
    const login = await portal.loginWithPassword(await portal.authorize((await app.client()).client_id), owner.email, owner.password);
    expect(login.body.redirect_to).toBeDefined();
  });

  it('with a login challenge: the same answer for both, and only a new account signs in, once its address is verified', async () => {
    const { client_id } = await app.client();
    const email = address('challenge');
    const newcomer = new Portal(app, app.browser());
    const loginUrl = await newcomer.authorize(client_id);
    const challenge = Portal.challengeOf(loginUrl, 'login');
    const fresh = await signUp(newcomer, { email, password: PASSWORD, login_challenge: challenge });

    const owner = await app.user();
    const intruder = new Portal(app, app.browser());
    const intruderChallenge = Portal.challengeOf(await intruder.authorize(client_id), 'login');
    const taken = await signUp(intruder, { email: owner.email, password: PASSWORD, login_challenge: intruderChallenge });

    expect(taken.status).toBe(fresh.status);
    expect(taken.body).toEqual(fresh.body);
    expect(fresh.body).toEqual({ next: 'verify_email' });
    expect(cookieShape(taken, 'tessera_signup')).toBeDefined();
    expect(cookieShape(taken, 'tessera_signup')).toBe(cookieShape(fresh, 'tessera_signup'));
    expect(taken.headers.getSetCookie().map((c) => c.split('=')[0])).toEqual(fresh.headers.getSetCookie().map((c) => c.split('=')[0]));

    // Not verified yet: both wait alike.
    expect((await newcomer.post('/auth/signup/continue', { login_challenge: challenge })).body).toEqual({ next: 'verify_email' });
    expect((await intruder.post('/auth/signup/continue', { login_challenge: intruderChallenge })).body).toEqual({ next: 'verify_email' });

    // The link is opened elsewhere (a phone); then the browser that signed up continues.
    const token = linkToken(await mailbox.next(email), 'verify-email', app.issuer);
    expect((await new Portal(app, app.browser()).post('/auth/verify-email', { token })).status).toBe(200);
    const done = await newcomer.post<{ redirect_to?: string }>('/auth/signup/continue', { login_challenge: challenge });
    expect(done.status).toBe(200);
    const callback = await newcomer.toCallback(done.body.redirect_to as string);
    const tokens = await newcomer.redeem(client_id, callback.searchParams.get('code') as string);
    expect(claimsOf(tokens['id_token'] as string)).toMatchObject({ sub: await look.subOf(email), amr: ['pwd'] });
    // The pending sign-in was used up: a new challenge in the same browser gets nothing from it.
    const again = Portal.challengeOf(await newcomer.authorize(client_id, { prompt: 'login' }), 'login');
    expect((await newcomer.post('/auth/signup/continue', { login_challenge: again })).body).toEqual({ next: 'verify_email' });

    // The intruder never gets in, whatever the owner does.
    await mailbox.next(owner.email, /sign up/);
    expect((await intruder.post('/auth/signup/continue', { login_challenge: intruderChallenge })).body).toEqual({ next: 'verify_email' });
  });

  it('lets only one of many concurrent uses of a link succeed', async () => {
    const email = address('race');
    await signUp(new Portal(app, app.browser()), { email, password: PASSWORD });
    const token = linkToken(await mailbox.next(email), 'verify-email', app.issuer);
    const results = await Promise.all(Array.from({ length: 8 }, () => new Portal(app, app.browser()).post('/auth/verify-email', { token })));
    expect(results.map((r) => r.status).sort()).toEqual([200, 400, 400, 400, 400, 400, 400, 400]);
  });

  it("refuses a weak password with the policy's reason, and bad input with a clear 400", async () => {
    const portal = new Portal(app, app.browser());
    const policy = new PasswordPolicy();
    for (const password of ['password1', 'short']) {
      const res = await signUp(portal, { email: address('weak'), password });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error: 'weak_password', error_description: policy.problem(password) });
    }
    for (const body of [{ email: 'not-an-address', password: PASSWORD }, { email: address('x') }, { email: address('x'), password: PASSWORD, claims: { email: 'a@b.example' } }, [1, 2]]) {
      const res = await signUp(portal, body as Record<string, unknown>);
      expect(res.status).toBe(400);
      expect(res.body['error']).toBe('invalid_request');
    }
    const unknownChallenge = await signUp(portal, { email: address('x'), password: PASSWORD, login_challenge: 'nope' });
    expect(unknownChallenge.status).toBeGreaterThanOrEqual(400);
    expect(unknownChallenge.status).toBeLessThan(500);
  });

  it('tells the portal whether sign-up is open and the password lengths', async () => {
    expect((await new Portal(app, app.browser()).get('/auth/signup')).body).toEqual({ enabled: true, min_password_length: 8, max_password_length: 128 });
  });

  it('needs the CSRF header', async () => {
    const res = await fetch(`${app.url}/auth/signup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: address('csrf'), password: PASSWORD }) });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: 'csrf_check_failed' });
  });

  it('refuses to sign in an unverified account, and its owner\'s right password earns a new verification link', async () => {
    const email = address('resend');
    const portal = new Portal(app, app.browser());
    await signUp(portal, { email, password: PASSWORD });
    await mailbox.next(email);
    const clientId = (await app.client()).client_id;
    const refused = await portal.loginWithPassword(await portal.authorize(clientId), email, PASSWORD);
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ error: 'forbidden', reason: 'email_not_verified' });
    const token = linkToken(await mailbox.next(email), 'verify-email', app.issuer);
    expect((await portal.post('/auth/verify-email', { token })).status).toBe(200);
    const { account } = await signInToAccount(app, { email, password: PASSWORD });
    expect((await account('GET', '')).body).toMatchObject({ email, email_verified: true });
    expect((await account('POST', '/email/verification')).body).toMatchObject({ error: 'invalid_request' });
    // A wrong password earns nothing.
    const other = address('resend-wrong');
    await signUp(new Portal(app, app.browser()), { email: other, password: PASSWORD });
    await mailbox.next(other);
    await portal.loginWithPassword(await portal.authorize(clientId), other, 'not the password at all');
    await expect(mailbox.next(other, undefined, 500)).rejects.toThrow();
  });
});

describe.each(testEngines())('sign-up turned off (%s)', (engine) => {
  let app: PlatformApp;
  beforeAll(async () => {
    app = await startPlatformApp({ engine, env: { TESSERA_SIGNUP: 'off' } });
  });
  afterAll(() => app.close());

  it('refuses with signup_disabled and creates nothing', async () => {
    expect((await new Portal(app, app.browser()).get('/auth/signup')).body).toMatchObject({ enabled: false });
    const email = address('off');
    const res = await new Portal(app, app.browser()).post('/auth/signup', { email, password: PASSWORD });
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ error: 'signup_disabled' });
    expect(await lookInto(app).subOf(email)).toBeUndefined();
  });
});
