import { randomBytes } from 'node:crypto';
import { testEngines } from '@tessera/test-kit';
import { Mailbox, linkToken } from '../mail/mailbox';
import { startPlatformApp, type PlatformApp } from '../support/platform-app';
import { Portal, signInToAccount } from '../support/portal';
import { lookInto } from './support';

const address = (name: string) => `${name}-${randomBytes(4).toString('hex')}@example.com`;
const settle = () => new Promise((r) => setTimeout(r, 1500));

describe.each(testEngines())('email change with re-verification (%s)', (engine) => {
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

  it('needs a recent sign-in or the current password, applies only when the new address is verified, and tells the old one', async () => {
    const user = await app.user();
    const { account } = await signInToAccount(app, user);
    const newEmail = address('moved');

    now += 6 * 60_000;
    try {
      const stale = await account('POST', '/email', { new_email: newEmail });
      expect(stale.status).toBe(403);
      expect(stale.body).toMatchObject({ error: 'reauthentication_required', max_age: 300 });
      expect((await account('POST', '/email', { new_email: newEmail, current_password: 'not-the-password' })).status).toBe(401);
      const asked = await account('POST', '/email', { new_email: newEmail, current_password: user.password });
      expect(asked.status).toBe(202);
      expect(asked.body).toEqual({ next: 'verify_email' });
    } finally {
      now -= 6 * 60_000;
    }

    const mail = await mailbox.next(newEmail);
    expect(mail.subject).toBe('Confirm your new email address');
    const token = linkToken(mail, 'verify-email', app.issuer);
    // Nothing changed yet.
    expect((await account('GET', '')).body).toMatchObject({ email: user.email, email_verified: true });
    expect(await look.claimsOf(user.sub)).toMatchObject({ email: user.email });

    const verified = await new Portal(app, app.browser()).post('/auth/verify-email', { token });
    expect(verified.status).toBe(200);
    expect(verified.body).toEqual({ email: newEmail, email_verified: true, email_changed: true });
    expect(await look.claimsOf(user.sub)).toMatchObject({ email: newEmail, email_verified: true });

    const notice = await mailbox.next(user.email);
    expect(notice.subject).toBe('Your email address was changed');
    expect(notice.text).toContain(`${newEmail[0]}***@example.com`);

    // The link works once; the person signs in with the new address, no longer with the old one.
    expect((await new Portal(app, app.browser()).post('/auth/verify-email', { token })).body).toMatchObject({ error: 'invalid_link', reason: 'used' });
    const portal = new Portal(app, app.browser());
    const loginUrl = await portal.authorize((await app.client()).client_id);
    expect((await portal.loginWithPassword(loginUrl, user.email, user.password)).status).toBe(401);
    expect((await portal.loginWithPassword(loginUrl, newEmail, user.password)).status).toBe(200);
  });

  it("answers an address of another account like any other, mails it nothing, and changes nothing", async () => {
    const user = await app.user();
    const other = await app.user();
    const { account } = await signInToAccount(app, user);
    const free = await account('POST', '/email', { new_email: address('free') });
    const taken = await account('POST', '/email', { new_email: other.email.toUpperCase() });
    expect(taken.status).toBe(free.status);
    expect(taken.body).toEqual(free.body);
    await settle();
    expect(mailbox.newFor(other.email)).toEqual([]);
    expect(await look.claimsOf(user.sub)).toMatchObject({ email: user.email });
    expect(await look.claimsOf(other.sub)).toMatchObject({ email: other.email });
  });

  it('only the latest request can complete, and a reset link mailed to the old address dies with the change', async () => {
    const user = await app.user();
    const { account } = await signInToAccount(app, user);
    const firstEmail = address('first');
    const secondEmail = address('second');
    await account('POST', '/email', { new_email: firstEmail });
    const first = linkToken(await mailbox.next(firstEmail), 'verify-email', app.issuer);
    await account('POST', '/email', { new_email: secondEmail });
    const second = linkToken(await mailbox.next(secondEmail), 'verify-email', app.issuer);

    await new Portal(app, app.browser()).post('/auth/recovery', { email: user.email });
    const reset = linkToken(await mailbox.next(user.email, /Reset/), 'reset-password', app.issuer);

    const portal = new Portal(app, app.browser());
    expect((await portal.post('/auth/verify-email', { token: first })).body).toMatchObject({ error: 'invalid_link' });
    expect((await portal.post('/auth/verify-email', { token: second })).status).toBe(200);
    expect((await portal.post('/auth/recovery/reset', { token: reset, new_password: 'a brand new passphrase' })).body).toMatchObject({ error: 'invalid_link' });
    expect(await look.claimsOf(user.sub)).toMatchObject({ email: secondEmail });
  });

  it('refuses bad input and needs the account scope', async () => {
    const user = await app.user();
    const { account } = await signInToAccount(app, user);
    expect((await account('POST', '/email', {})).body).toMatchObject({ error: 'invalid_request' });
    expect((await account('POST', '/email', { new_email: 'nope' })).body).toMatchObject({ error: 'invalid_request' });
    expect((await account('POST', '/email', { new_email: user.email })).body).toMatchObject({ error: 'invalid_request' });
    const anonymous = await fetch(`${app.url}/auth/account/email`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ new_email: address('x') }) });
    expect(anonymous.status).toBe(401);
  });

  it('caps the confirmation mails one account can send to new addresses', async () => {
    const user = await app.user();
    const { account } = await signInToAccount(app, user);
    for (let i = 0; i < 5; i++) expect((await account('POST', '/email', { new_email: address(`cap${i}`) })).status).toBe(202);
    const capped = await account('POST', '/email', { new_email: address('cap6') });
    expect(capped.status).toBe(429);
    expect(capped.body).toMatchObject({ error: 'too_many_attempts' });
    expect(capped.body['retry_after']).toBeGreaterThan(0);
  });
});
