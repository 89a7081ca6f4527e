import { testEngines } from '@tessera/test-kit';
import { startPlatformApp, type PlatformApp } from '../support/platform-app';
import { Portal } from '../support/portal';

describe.each(testEngines())('signing out and ending sessions (%s)', (engine) => {
  let app: PlatformApp;
  let clientId: string;

  beforeAll(async () => {
    app = await startPlatformApp({ engine });
    clientId = (await app.client()).client_id;
  });
  afterAll(() => app.close());

  async function signedIn() {
    const user = await app.user();
    const portal = new Portal(app, app.browser());
    const login = await portal.loginWithPassword(await portal.authorize(clientId), user.email, user.password);
    expect(login.status).toBe(200);
    return { user, portal };
  }

  /** Who this browser is signed in as, for the auth-service (prompt=login keeps the token service's OP session out of it). */
  async function sessionOf(portal: Portal) {
    const loginUrl = await portal.authorize(clientId, { prompt: 'login' });
    return (await portal.get(`/auth/login?login_challenge=${encodeURIComponent(Portal.challengeOf(loginUrl, 'login'))}`)).body['session'];
  }

  it('signs out: the login session ends, its cookie is cleared, and session.ended is announced', async () => {
    const { user, portal } = await signedIn();
    const out = await portal.post('/auth/logout', {});
    expect(out.status).toBe(204);
    expect(out.headers.getSetCookie().some((c) => c.startsWith('tessera_login=;'))).toBe(true);
    expect(await sessionOf(portal)).toBeNull();
    expect((await app.outbox('session.ended')).some((e) => e.payload['sub'] === user.sub)).toBe(true);
    // Signing out twice, or without a session, is not an error; without the CSRF header it is refused.
    expect((await portal.post('/auth/logout', {})).status).toBe(204);
    expect((await portal.post('/auth/logout', {}, { 'x-csrf-token': 'forged' })).status).toBe(403);
  });

  it('an administrator locking an account ends its sessions, and the password no longer signs in', async () => {
    const { user, portal } = await signedIn();
    const locked = await app.internal('PATCH', `/internal/users/${user.sub}`, { status: 'locked' });
    expect(locked.status).toBe(200);
    expect(locked.body['status']).toBe('locked');
    expect(await sessionOf(portal)).toBeNull();
    const again = await portal.loginWithPassword(await portal.authorize(clientId), user.email, user.password);
    expect(again.status).toBe(403);
    expect((await app.internal('PATCH', `/internal/users/${user.sub}`, { status: 'gone' })).status).toBe(400);
    expect((await app.internal('PATCH', `/internal/users/${user.sub}`, { roles: ['superuser'] })).status).toBe(400);
    expect((await app.internal('PATCH', `/internal/users/${user.sub}`, { password_hash: 'x' })).status).toBe(400);
    await app.internal('PATCH', `/internal/users/${user.sub}`, { status: 'active' });
    expect((await portal.loginWithPassword(await portal.authorize(clientId), user.email, user.password)).status).toBe(200);
  });

  it('an administrator lists and ends all of a user\'s sessions', async () => {
    const { user, portal } = await signedIn();
    const listed = await app.internal('GET', `/internal/users/${user.sub}/sessions`);
    expect(listed.status).toBe(200);
    expect(listed.body).toHaveLength(1);
    const ended = await app.internal('DELETE', `/internal/users/${user.sub}/sessions`);
    expect(ended.body).toEqual({ ended: 1 });
    expect(await sessionOf(portal)).toBeNull();
    expect((await app.internal('GET', '/internal/users/nobody/sessions')).status).toBe(404);
  });
});
