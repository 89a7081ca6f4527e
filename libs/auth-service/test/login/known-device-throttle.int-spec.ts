import { startPlatformApp, type PlatformApp } from '../support/platform-app';
import { Portal } from '../support/portal';

/**
 * A browser with a device cookie known for an account is spared the account's delays and lock
 * (strangers cannot lock the owner out), but its own failures on that account are counted and
 * locked out just the same (OWASP's device-cookie scheme): whoever uses a browser the owner once
 * signed in with cannot guess the password without limit. A password change forgets the devices.
 */
describe('password guesses from a browser known to the account', () => {
  let app: PlatformApp;
  const now = Date.now();
  beforeAll(async () => {
    app = await startPlatformApp({ clock: () => now, env: { TESSERA_TRUSTED_PROXIES: '127.0.0.1' } });
  });
  afterAll(() => app.close());

  it('still limits the guesses one browser makes on one account', async () => {
    const clientId = (await app.client()).client_id;
    const user = await app.user();
    const portal = new Portal(app, app.browser());
    // The owner signed in on this browser once; the browser is later used by someone else.
    const first = await portal.loginWithPassword(await portal.authorize(clientId), user.email, user.password);
    expect(first.status).toBe(200);
    expect(portal.browser.cookie('tessera_device')).toBeDefined();

    const statuses: number[] = [];
    for (let i = 1; i <= 40; i++) {
      const loginUrl = await portal.authorize(clientId, { prompt: 'login' });
      const res = await portal.post(
        '/auth/login/password',
        { login_challenge: Portal.challengeOf(loginUrl, 'login'), email: user.email, password: `guess ${i}` },
        { 'x-forwarded-for': `198.51.100.${i}` },
      );
      statuses.push(res.status);
    }
    expect(statuses).toContain(429);
  });
});
