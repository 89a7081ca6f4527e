import { testEngines } from '@tessera/test-kit';
import { startPlatformApp, type PlatformApp } from '../support/platform-app';
import { Portal, signInToAccount } from '../support/portal';

/**
 * "Ending a login session ends the OP sessions on top of it" (ARCHITECTURE.md): a password
 * change ending the other sessions, a password reset, "sign out this session" in the account
 * API, signing out, an administrator's lock: each writes `session.ended`, and the token service
 * ends every OP session built on that login session, so its cookie no longer answers
 * /oauth2/authorize without a sign-in.
 */
describe.each(testEngines())('an ended login session and the OP session on top of it (%s)', (engine) => {
  let app: PlatformApp;
  let clientId: string;

  beforeAll(async () => {
    app = await startPlatformApp({ engine });
    clientId = (await app.client({ first_party: true })).client_id;
  });
  afterAll(() => app.close());

  /**
   * Where /oauth2/authorize sends this browser now, after giving the event relay time to deliver.
   * The wait is bounded by time, not by a number of tries: 30 tries (about 3 s) was too little
   * for session.ended to go through the outbox relay and the queue on a loaded CI machine.
   */
  async function afterEvents(portal: Portal): Promise<string> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const url = await portal.authorize(clientId);
      if (!url.startsWith('https://app.example.com/cb') || Date.now() > deadline) return url;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it("signs the attacker's browser out of single sign-on when the owner changes the password", async () => {
    const user = await app.user();
    // The attacker (who knew the old password) is signed in, with an OP session, in their browser.
    const attacker = new Portal(app, app.browser());
    const login = await attacker.loginWithPassword(await attacker.authorize(clientId), user.email, user.password);
    await attacker.toCallback(login.body.redirect_to as string);
    expect(await attacker.authorize(clientId)).toMatch(/^https:\/\/app\.example\.com\/cb\?code=/);

    // The owner changes the password: "ends every other session".
    const { account } = await signInToAccount(app, user);
    expect((await account('POST', '/password', { new_password: 'a brand new passphrase for me' })).status).toBe(204);

    // The attacker's browser must have to sign in again (the login page), not get a code
    // (which redeems for fresh tokens issued after the password change).
    const next = await afterEvents(attacker);
    const code = new URL(next).searchParams.get('code');
    const fresh = code ? await attacker.redeem(clientId, code) : {};
    expect({ next: next.includes('/login?login_challenge='), access_token: typeof fresh['access_token'] }).toEqual({ next: true, access_token: 'undefined' });
  });

  it('ends single sign-on in a browser whose session the user signed out from the account page', async () => {
    const user = await app.user();
    const lost = new Portal(app, app.browser());
    const login = await lost.loginWithPassword(await lost.authorize(clientId), user.email, user.password);
    await lost.toCallback(login.body.redirect_to as string);

    const { account } = await signInToAccount(app, user);
    const sessions = (await account<Array<{ id: string; current: boolean }>>('GET', '/sessions')).body;
    const other = sessions.find((s) => !s.current) as { id: string };
    expect((await account('DELETE', `/sessions/${other.id}`)).status).toBe(204);

    expect(await afterEvents(lost)).toContain('/login?login_challenge=');
  });

  it('ends single sign-on when the person signs out (POST /auth/logout)', async () => {
    const user = await app.user();
    const portal = new Portal(app, app.browser());
    const login = await portal.loginWithPassword(await portal.authorize(clientId), user.email, user.password);
    await portal.toCallback(login.body.redirect_to as string);
    expect((await portal.post('/auth/logout', {})).status).toBe(204);
    expect(await afterEvents(portal)).toContain('/login?login_challenge=');
  });

  it('ends single sign-on when an administrator locks the account', async () => {
    const user = await app.user();
    const portal = new Portal(app, app.browser());
    const login = await portal.loginWithPassword(await portal.authorize(clientId), user.email, user.password);
    await portal.toCallback(login.body.redirect_to as string);
    expect((await app.internal('PATCH', `/internal/users/${user.sub}`, { status: 'locked' })).status).toBe(200);
    const next = await afterEvents(portal);
    const code = new URL(next).searchParams.get('code');
    const tokens = code ? await portal.redeem(clientId, code) : {};
    expect({ login: next.includes('/login?login_challenge='), access_token: typeof tokens['access_token'] }).toEqual({ login: true, access_token: 'undefined' });
  });
});
