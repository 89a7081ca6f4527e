import { testEngines } from '@tessera/test-kit';
import { startPlatformApp, type PlatformApp } from '../support/platform-app';
import { Portal, signInToAccount } from '../support/portal';

/**
 * "Malformed ... parameters get 400, never a 500". Strings from requests go to the
 * database unchecked for NUL characters: the email of a password login (normalizeEmail's
 * pattern `[^\s@]` lets U+0000 through), a passkey id from the path, an upstream provider id
 * from the path. PostgreSQL refuses U+0000 in text (22021), which surfaces as a 500.
 */
describe.each(testEngines())('NUL characters in input (%s)', (engine) => {
  let app: PlatformApp;
  let clientId: string;

  beforeAll(async () => {
    app = await startPlatformApp({ engine });
    clientId = (await app.client()).client_id;
  });
  afterAll(() => app.close());

  it('answers a password login whose email holds a NUL with a 4xx, not a 500', async () => {
    const portal = new Portal(app, app.browser());
    const loginUrl = await portal.authorize(clientId);
    const res = await portal.loginWithPassword(loginUrl, 'a\u0000b@example.com', 'some password here');
    expect(res.status).toBeLessThan(500);
  });

  it('answers an account passkey path holding %00 with a 4xx', async () => {
    const user = await app.user();
    const { account } = await signInToAccount(app, user);
    expect((await account('PATCH', '/passkeys/%00', { name: 'x' })).status).toBeLessThan(500);
    expect((await account('DELETE', '/passkeys/%00', { current_password: user.password })).status).toBeLessThan(500);
  });

  it('answers an upstream provider path holding %00 with a 4xx', async () => {
    const portal = new Portal(app, app.browser());
    expect((await portal.browser.get(`${app.issuer}/auth/upstream/%00/start?login_challenge=x`)).status).toBeLessThan(500);
    expect((await portal.browser.get(`${app.issuer}/auth/upstream/%00/callback?state=x&code=y`)).status).toBeLessThan(500);
  });
});
