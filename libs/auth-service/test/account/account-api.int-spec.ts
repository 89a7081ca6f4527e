import { eventually, testEngines } from '@tessera/test-kit';
import { startPlatformApp, type PlatformApp } from '../support/platform-app';
import { Portal, signInToAccount } from '../support/portal';

describe.each(testEngines())('account API (%s)', (engine) => {
  let app: PlatformApp;
  let now = Date.now();

  beforeAll(async () => {
    app = await startPlatformApp({ engine, clock: () => now });
  });
  afterAll(() => app.close());

  it('refuses calls without a token, with an inactive one, and with a token not addressed to the account API (no account scope)', async () => {
    const none = await fetch(`${app.url}/auth/account`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const bogus = await fetch(`${app.url}/auth/account`, { headers: { authorization: 'Bearer tsr_at_bogus' } });
    expect(bogus.status).toBe(401);

    const user = await app.user();
    const { client_id } = await app.client();
    const portal = new Portal(app, app.browser());
    const login = await portal.loginWithPassword(await portal.authorize(client_id), user.email, user.password);
    const callback = await portal.toCallback(login.body.redirect_to as string);
    const tokens = await portal.redeem(client_id, callback.searchParams.get('code') as string);
    // Without the account scope the token is addressed to no API, so not to this one (libs/resource-server checks aud).
    const noScope = await fetch(`${app.url}/auth/account`, { headers: { authorization: `Bearer ${tokens['access_token']}` } });
    expect(noScope.status).toBe(401);
    expect(noScope.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect(await noScope.json()).toMatchObject({ error: 'invalid_token' });
  });

  it('reads and edits the profile; a bad claim gets a clear 400', async () => {
    const user = await app.user({ claims: { given_name: 'Grace' } });
    const { account } = await signInToAccount(app, user);
    expect((await account('GET', '')).body).toMatchObject({ email: user.email, email_verified: true, claims: { given_name: 'Grace' } });
    const edited = await account('PATCH', '', { claims: { family_name: 'Hopper', given_name: null, locale: 'en-US' } });
    expect(edited.status).toBe(200);
    expect(edited.body['claims']).toEqual({ family_name: 'Hopper', locale: 'en-US' });
    const bad = await account('PATCH', '', { claims: { email: 'x@example.com' } });
    expect(bad.status).toBe(400);
    expect(bad.body['error']).toBe('invalid_request');
    const badUrl = await account('PATCH', '', { claims: { picture: 'javascript:alert(1)' } });
    expect(badUrl.status).toBe(400);
  });

  it('changes the password after a recent sign-in, ends the other sessions, revokes the tokens, and refuses a common password', async () => {
    const user = await app.user();
    const other = await signInToAccount(app, user);
    const { account, portal, clientId, accessToken } = await signInToAccount(app, user);
    expect((await account('POST', '/password', { new_password: 'password1' })).body).toMatchObject({ error: 'weak_password' });
    const changed = await account('POST', '/password', { new_password: 'a brand new passphrase' });
    expect(changed.status).toBe(204);
    const sessionOf = async (p: Portal) =>
      (await p.get(`/auth/login?login_challenge=${encodeURIComponent(Portal.challengeOf(await p.authorize(clientId, { prompt: 'login' }), 'login'))}`)).body['session'];
    // The other browser's session has ended; this one remains.
    expect(await sessionOf(other.portal)).toBeNull();
    expect(await sessionOf(portal)).toMatchObject({ sub: user.sub });
    // password.changed: the token service revokes the user's tokens (the portal signs in again, without a password).
    // Asked until it stops answering 200: the event arrives through the outbox relay and the queue,
    // which a loaded CI machine can keep past the 5 s of tries this loop used to allow.
    const status = await eventually(
      async () => {
        const answer = (await fetch(`${app.url}/auth/account`, { headers: { authorization: `Bearer ${accessToken}` } })).status;
        expect(answer).not.toBe(200);
        return answer;
      },
      { intervalMs: 100 },
    );
    expect(status).toBe(401);
    // The old password no longer works, the new one does.
    const again = new Portal(app, app.browser());
    const loginUrl = await again.authorize(clientId);
    expect((await again.loginWithPassword(loginUrl, user.email, user.password)).status).toBe(401);
    expect((await again.loginWithPassword(loginUrl, user.email, 'a brand new passphrase')).status).toBe(200);
  });

  it('asks for a recent authentication or the current password after 5 minutes', async () => {
    const user = await app.user();
    const { account } = await signInToAccount(app, user);
    now += 6 * 60_000;
    try {
      const stale = await account('POST', '/password', { new_password: 'another fine passphrase' });
      expect(stale.status).toBe(403);
      expect(stale.body).toMatchObject({ error: 'reauthentication_required', max_age: 300 });
      const wrong = await account('POST', '/password', { new_password: 'another fine passphrase', current_password: 'nope-nope-nope' });
      expect(wrong.status).toBe(401);
      const right = await account('POST', '/password', { new_password: 'another fine passphrase', current_password: user.password });
      expect(right.status).toBe(204);
    } finally {
      now -= 6 * 60_000;
    }
  });

  it('lists the connected apps and revokes one; the revoked access token stops working', async () => {
    const user = await app.user();
    const { account, clientId, accessToken } = await signInToAccount(app, user);
    const apps = await account<Array<{ id: string; client_id: string }>>('GET', '/apps');
    expect(apps.body.map((g) => g.client_id)).toContain(clientId);
    const grant = apps.body.find((g) => g.client_id === clientId) as { id: string };
    expect((await account('DELETE', `/apps/${grant.id}`)).status).toBe(204);
    // The portal's own token came from that grant: it dies with it (grant.revoked through the outbox).
    // Asked until it stops answering 200: the event arrives through the outbox relay and the queue,
    // which a loaded CI machine can keep past the 5 s of tries this loop used to allow.
    const status = await eventually(
      async () => {
        const answer = (await fetch(`${app.url}/auth/account`, { headers: { authorization: `Bearer ${accessToken}` } })).status;
        expect(answer).not.toBe(200);
        return answer;
      },
      { intervalMs: 100 },
    );
    expect(status).toBe(401);
  });

  it("cannot revoke another user's grant", async () => {
    const alice = await signInToAccount(app, await app.user());
    const bob = await signInToAccount(app, await app.user());
    const bobsGrant = (await bob.account<Array<{ id: string }>>('GET', '/apps')).body[0] as { id: string };
    expect((await alice.account('DELETE', `/apps/${bobsGrant.id}`)).status).toBe(404);
    expect((await bob.account('GET', '')).status).toBe(200);
  });

  it('deletes the account: the user can no longer sign in and their claims are gone', async () => {
    const user = await app.user();
    const { account } = await signInToAccount(app, user);
    expect((await account('DELETE', '')).status).toBe(204);
    expect((await app.internal('GET', `/internal/users/${user.sub}`)).status).toBe(404);
    const again = new Portal(app, app.browser());
    const loginUrl = await again.authorize((await app.client()).client_id);
    expect((await again.loginWithPassword(loginUrl, user.email, user.password)).status).toBe(401);
  });
});
