import { testEngines } from '@tessera/test-kit';
import { startPlatformApp, type PlatformApp } from '../support/platform-app';
import { signInToAccount } from '../support/portal';
import { outboxEvents, totpCode } from './mfa-support';

/**
 * Adding a second factor needs a recent sign-in or the current password, like adding a passkey
 * or a linked account: with a bare `account` token (stolen from the portal) an attacker could
 * otherwise bind their own authenticator app (which the owner then lacks at every login) or mint
 * recovery codes: a second factor of their own, enough together with a phished password.
 * (Found in a security review.)
 */
describe.each(testEngines())('adding second factors needs a recent authentication (%s)', (engine) => {
  let app: PlatformApp;
  let now = Date.now();

  beforeAll(async () => {
    app = await startPlatformApp({ engine, clock: () => now });
  });
  afterAll(() => app.close());

  it('asks for a recent sign-in (or the password) before generating the first recovery codes', async () => {
    const user = await app.user();
    const { account } = await signInToAccount(app, user);
    now += 10 * 60_000; // the token is still valid; the sign-in is not recent any more
    const res = await account('POST', '/mfa/recovery-codes', {});
    expect(res.body).toMatchObject({ error: 'reauthentication_required' });
    expect(res.status).toBe(403);
    expect((await account('GET', '/mfa')).body).toMatchObject({ recovery_codes: { remaining: 0, generated_at: null } });
    expect((await account('POST', '/mfa/recovery-codes', { current_password: 'not-the-password' })).status).toBe(401);
    expect((await outboxEvents(app, 'mfa.changed')).filter((e) => e['sub'] === user.sub)).toEqual([]);

    const withPassword = await account<{ codes: string[] }>('POST', '/mfa/recovery-codes', { current_password: user.password });
    expect(withPassword.status).toBe(200);
    expect(withPassword.body.codes).toHaveLength(10);
  });

  it('asks for a recent sign-in (or the password) before setting up an authenticator app', async () => {
    const user = await app.user();
    const { account } = await signInToAccount(app, user);
    now += 10 * 60_000;
    const res = await account('POST', '/mfa/totp', {});
    expect(res.body).toMatchObject({ error: 'reauthentication_required' });
    expect(res.status).toBe(403);
    expect((await account('POST', '/mfa/totp')).body).toMatchObject({ error: 'reauthentication_required' });
    expect((await account('POST', '/mfa/totp', { current_password: 'not-the-password' })).status).toBe(401);
    expect((await account('GET', '/mfa')).body).toMatchObject({ totp: { enrolled: false, setup_pending: false } });

    const started = await account<{ secret: string }>('POST', '/mfa/totp', { current_password: user.password });
    expect(started.status).toBe(200);
    expect((await account('POST', '/mfa/totp/confirm', { code: await totpCode(started.body.secret, now) })).status).toBe(200);
    expect((await account('GET', '/mfa')).body).toMatchObject({ mfa_required: true, totp: { enrolled: true } });
  });

  it('lets a recent sign-in add both without the password', async () => {
    const user = await app.user();
    const { account } = await signInToAccount(app, user);
    now += 4 * 60_000;
    expect((await account('POST', '/mfa/totp')).status).toBe(200);
    expect((await account('POST', '/mfa/recovery-codes')).status).toBe(200);
  });
});
