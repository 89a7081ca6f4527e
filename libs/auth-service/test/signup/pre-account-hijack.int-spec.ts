import { randomBytes } from 'node:crypto';
import { testEngines } from '@tessera/test-kit';
import { Mailbox, linkToken } from '../mail/mailbox';
import { startPlatformApp, type PlatformApp } from '../support/platform-app';
import { Portal, signInToAccount } from '../support/portal';

/**
 * Pre-account hijacking through sign-up (the "classic" variant of Sudhodanan & Paverd, 2022): an
 * attacker signs up with the victim's address and a password of their own, hoping to plant a
 * way in (a passkey, a link, TOTP) before the owner arrives. An unverified account cannot sign
 * in at all, so nothing can be planted; the owner takes the account over by resetting its
 * password (which proves the address), and the attacker's password goes with the reset.
 */
describe.each(testEngines())('pre-account hijacking through sign-up (%s)', (engine) => {
  let app: PlatformApp;
  let mailbox: Mailbox;
  let clientId: string;

  beforeAll(async () => {
    app = await startPlatformApp({ engine });
    mailbox = Mailbox.of(app);
    clientId = (await app.client()).client_id;
  });
  afterAll(() => app.close());

  it('does not let the squatter of an unverified address keep a way into the account its owner takes over', async () => {
    const victim = `victim-${randomBytes(4).toString('hex')}@example.com`;
    const attackerPassword = 'attacker chosen passphrase';

    // 1. The attacker signs up with the victim's address; nobody verifies it.
    const attacker = new Portal(app, app.browser());
    expect((await attacker.post('/auth/signup', { email: victim, password: attackerPassword })).status).toBe(202);

    // 2. The unverified account cannot sign in, so the attacker cannot plant a way in (a passkey, a link, TOTP).
    const login = await attacker.loginWithPassword(await attacker.authorize(clientId), victim, attackerPassword);
    expect(login.status).toBe(403);
    expect(login.body).toMatchObject({ error: 'forbidden', reason: 'email_not_verified' });
    await expect(signInToAccount(app, { email: victim, password: attackerPassword }, attacker.browser)).rejects.toThrow(/login failed/);

    // 3. The victim finds "an account exists" and resets its password through their mailbox: the account is theirs alone.
    const owner = new Portal(app, app.browser());
    expect((await owner.post('/auth/recovery', { email: victim })).status).toBe(202);
    const token = linkToken(await mailbox.next(victim, /Reset your password/), 'reset-password', app.issuer);
    expect((await owner.post('/auth/recovery/reset', { token, new_password: 'the real owner passphrase' })).status).toBe(200);
    const ownerLogin = await owner.loginWithPassword(await owner.authorize(clientId), victim, 'the real owner passphrase');
    expect(ownerLogin.status).toBe(200);
    // The attacker's password is gone with the reset.
    const again = new Portal(app, app.browser());
    expect((await again.loginWithPassword(await again.authorize(clientId), victim, attackerPassword)).status).toBe(401);
  });

  it('does not sign in an account whose address was never verified (sign-up says: verify first)', async () => {
    const email = `unverified-${randomBytes(4).toString('hex')}@example.com`;
    const portal = new Portal(app, app.browser());
    expect((await portal.post('/auth/signup', { email, password: 'attacker chosen passphrase' })).status).toBe(202);
    const login = await portal.loginWithPassword(await portal.authorize(clientId), email, 'attacker chosen passphrase');
    expect(login.body.redirect_to).toBeUndefined();
  });
});
