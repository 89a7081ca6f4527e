import { eventually, FakeClock, startLogoutListener, testEngines, type LogoutListener } from '@tessera/test-kit';
import { startPlatformApp, type PlatformApp } from '../support/platform-app';
import { claimsOf, Portal, REDIRECT_URI, signInToAccount } from '../support/portal';

const FIREFOX_LINUX = 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0';
const SAFARI_MAC = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15';
const BACKCHANNEL_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

interface SessionView {
  id: string;
  current?: boolean;
  device?: string;
  ip: string | null;
  amr: string[];
  auth_time: number;
  created_at: number;
  last_seen_at: number;
  clients: Array<{ client_id: string; client_name?: string; first_used_at: number; last_used_at: number }>;
}

/**
 * The account page's sessions (device, IP, how and when, which apps, last seen), and ARCHITECTURE's
 * "an OP session never outlives its login session" seen from the apps: ending a session from the
 * account API, a password change and an administrator's lock each send every app that signed in
 * through the ended sessions a logout token (OpenID Connect Back-Channel Logout 1.0).
 */
describe.each(testEngines())('sessions and back-channel logout (%s)', (engine) => {
  let app: PlatformApp;
  let rp: LogoutListener;
  const clock = new FakeClock(Math.floor(Date.now() / 1000) * 1000);
  const now = () => Math.floor(clock.now() / 1000);
  let n = 0;

  beforeAll(async () => {
    rp = await startLogoutListener();
    app = await startPlatformApp({ engine, clock: clock.now, env: { TESSERA_OUTBOUND_ALLOW_PRIVATE: 'true', TESSERA_BACKCHANNEL_RETRY_MS: '10' } });
  });
  afterAll(async () => {
    await app?.close();
    await rp?.close();
  });

  /** A first-party app that registered a back-channel logout endpoint on the listener. */
  async function appWithLogout(name: string) {
    const path = `/${name.toLowerCase()}-${++n}`;
    const { client_id } = await app.client({ client_name: name, first_party: true, backchannel_logout_uri: `${rp.url}${path}` });
    return { clientId: client_id, path };
  }

  /** Signs the user in to each app in one browser (SSO after the first); returns each app's ID token claims. */
  async function signInToApps(user: { email: string; password: string }, apps: Array<{ clientId: string }>, userAgent = FIREFOX_LINUX) {
    const portal = new Portal(app, app.browser(userAgent));
    const idTokens: Array<Record<string, unknown>> = [];
    for (const [i, { clientId }] of apps.entries()) {
      let url = await portal.authorize(clientId);
      if (i === 0) {
        const login = await portal.loginWithPassword(url, user.email, user.password);
        url = (await portal.toCallback(login.body.redirect_to as string)).href;
      }
      expect(url.startsWith(REDIRECT_URI)).toBe(true);
      const tokens = await portal.redeem(clientId, new URL(url).searchParams.get('code') as string);
      idTokens.push(claimsOf(tokens['id_token'] as string));
    }
    return { portal, idTokens };
  }

  /** Waits for the logout token at `path` and checks it names the session the ID token came from. */
  async function expectLoggedOut(target: { clientId: string; path: string }, idToken: Record<string, unknown>) {
    await eventually(() => expect(rp.received(target.path)).toHaveLength(1), { timeoutMs: 10_000, intervalMs: 20 });
    const token = rp.received(target.path)[0].logoutToken as string;
    const [header, claims] = [JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString()), claimsOf(token)];
    expect(header.typ).toBe('logout+jwt');
    expect(claims).toMatchObject({ iss: app.issuer, aud: target.clientId, sub: idToken['sub'], sid: idToken['sid'], events: { [BACKCHANNEL_EVENT]: {} } });
  }

  it('lists each session with its device, IP, how the person signed in, the apps it served and when it was last seen', async () => {
    const user = await app.user();
    const mail = await appWithLogout('Mail');
    const calendar = await appWithLogout('Calendar');
    const signedInAt = now();
    const laptop = await signInToApps(user, [mail, calendar]);
    clock.advance(120);
    expect(await laptop.portal.authorize(mail.clientId)).toMatch(/^https:\/\/app\.example\.com\/cb\?code=/);

    const { account, clientId: portalClient } = await signInToAccount(app, user, app.browser(SAFARI_MAC));
    const sessions = (await account<SessionView[]>('GET', '/sessions')).body;

    expect(sessions).toHaveLength(2);
    const [current, other] = [sessions.find((s) => s.current), sessions.find((s) => !s.current)] as SessionView[];
    expect(other).toMatchObject({ device: 'Firefox on Linux', ip: '127.0.0.1', amr: ['pwd'], auth_time: signedInAt, created_at: signedInAt, last_seen_at: signedInAt + 120 });
    expect(other.clients.map((c) => [c.client_name, c.first_used_at, c.last_used_at])).toEqual([
      ['Mail', signedInAt, signedInAt + 120],
      ['Calendar', signedInAt, signedInAt],
    ]);
    expect(current).toMatchObject({ device: 'Safari on macOS', last_seen_at: now() });
    expect(current.clients.map((c) => c.client_id)).toEqual([portalClient]);

    // Administrators see the same sessions (and no "current").
    const admin = await app.internal('GET', `/internal/users/${user.sub}/sessions`);
    const listed = admin.body as unknown as SessionView[];
    expect(listed.map((s) => s.id).sort()).toEqual(sessions.map((s) => s.id).sort());
    expect(listed.find((s) => s.id === other.id)).toEqual({ ...other, current: undefined });
    expect(listed.every((s) => !('current' in s))).toBe(true);
  });

  it('ending one session from the account API logs its apps out through the back channel', async () => {
    const user = await app.user();
    const mail = await appWithLogout('Mail');
    const calendar = await appWithLogout('Calendar');
    const { portal, idTokens } = await signInToApps(user, [mail, calendar]);
    const { account } = await signInToAccount(app, user);
    const other = (await account<SessionView[]>('GET', '/sessions')).body.find((s) => !s.current) as SessionView;

    expect((await account('DELETE', `/sessions/${other.id}`)).status).toBe(204);

    await expectLoggedOut(mail, idTokens[0]);
    await expectLoggedOut(calendar, idTokens[1]);
    expect(await portal.authorize(mail.clientId)).toContain('/login?login_challenge=');
  });

  it('"sign out everywhere else" ends every other session and logs their apps out, and keeps this one', async () => {
    const user = await app.user();
    const mail = await appWithLogout('Mail');
    const notes = await appWithLogout('Notes');
    const first = await signInToApps(user, [mail]);
    const second = await signInToApps(user, [notes], SAFARI_MAC);
    const { account } = await signInToAccount(app, user);

    const ended = await account<{ ended: number }>('DELETE', '/sessions');

    expect(ended).toMatchObject({ status: 200, body: { ended: 2 } });
    await expectLoggedOut(mail, first.idTokens[0]);
    await expectLoggedOut(notes, second.idTokens[0]);
    const left = (await account<SessionView[]>('GET', '/sessions')).body;
    expect(left.map((s) => s.current)).toEqual([true]);
  });

  it('a password change logs the apps of the other sessions out through the back channel', async () => {
    const user = await app.user();
    const mail = await appWithLogout('Mail');
    const { idTokens } = await signInToApps(user, [mail]);
    const { account } = await signInToAccount(app, user);

    expect((await account('POST', '/password', { new_password: 'a brand new passphrase for me' })).status).toBe(204);

    await expectLoggedOut(mail, idTokens[0]);
  });

  it("an administrator's lock logs the apps of every session out through the back channel", async () => {
    const user = await app.user();
    const mail = await appWithLogout('Mail');
    const calendar = await appWithLogout('Calendar');
    const laptop = await signInToApps(user, [mail]);
    const phone = await signInToApps(user, [calendar], SAFARI_MAC);

    expect((await app.internal('PATCH', `/internal/users/${user.sub}`, { status: 'locked' })).status).toBe(200);

    await expectLoggedOut(mail, laptop.idTokens[0]);
    await expectLoggedOut(calendar, phone.idTokens[0]);
  });

  it('an administrator ending all of a user\'s sessions logs every app out', async () => {
    const user = await app.user();
    const mail = await appWithLogout('Mail');
    const { idTokens } = await signInToApps(user, [mail]);

    expect(await app.internal('DELETE', `/internal/users/${user.sub}/sessions`)).toMatchObject({ status: 200, body: { ended: 1 } });

    await expectLoggedOut(mail, idTokens[0]);
  });

  it('ends single sign-on when the login session expires, even though OP sessions may last longer', async () => {
    const user = await app.user();
    const mail = await appWithLogout('Mail');
    const { portal } = await signInToApps(user, [mail]);
    // Without "remember me" the login session lasts TESSERA_BROWSER_SESSION_TTL (12 h); OP sessions up to 14 days.
    clock.advance(12 * 3600 - 60);
    expect(await portal.authorize(mail.clientId)).toMatch(/^https:\/\/app\.example\.com\/cb\?code=/);
    clock.advance(61);
    expect(await portal.authorize(mail.clientId)).toContain('/login?login_challenge=');
  });
});
