import { testEngines } from '@tessera/test-kit';
import { startPlatformApp, type PlatformApp } from '../support/platform-app';
import { Portal } from '../support/portal';

describe.each(testEngines())("a client's MFA policy (%s)", (engine) => {
  let app: PlatformApp;
  let strict: string;

  beforeAll(async () => {
    app = await startPlatformApp({ engine });
    strict = (await app.client({ mfa_policy: 'required' })).client_id;
  });
  afterAll(() => app.close());

  it('asks for a second factor after the password, even from a user who enrolled none', async () => {
    const user = await app.user();
    const portal = new Portal(app, app.browser());
    const login = await portal.loginWithPassword(await portal.authorize(strict), user.email, user.password);
    expect(login.status).toBe(200);
    // A verified email is enough for a mailed code; the password alone never completes this login.
    expect(login.body).toEqual({ next: 'second_factor', factors: ['email_code'] });
    expect(login.body.redirect_to).toBeUndefined();
  });

  it('does not let a password-only session continue into the strict client', async () => {
    const user = await app.user();
    const portal = new Portal(app, app.browser());
    const relaxed = (await app.client()).client_id;
    const first = await portal.loginWithPassword(await portal.authorize(relaxed), user.email, user.password);
    await portal.toCallback(first.body.redirect_to as string);
    const loginUrl = await portal.authorize(strict);
    expect(loginUrl).toContain('/login?');
    const cont = await portal.post('/auth/login/continue', { login_challenge: Portal.challengeOf(loginUrl, 'login') });
    expect(cont.body).toEqual({ next: 'second_factor', factors: ['email_code'] });
  });
});
