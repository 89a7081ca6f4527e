import { testEngines } from '@tessera/test-kit';
import { startPlatformApp, type PlatformApp } from '../support/platform-app';
import { Portal, signInToAccount } from '../support/portal';
import { loginWithPasskey, mfaChangesOf, registerPasskey, seedPasskey, signInToAccountWithPasskey } from './passkey-portal';
import { SoftAuthenticator } from './soft-authenticator';

type PasskeyView = { id: string; name: string; credential_id: string; device_type: string; backed_up: boolean; transports: string[]; aaguid: string; created_at: number; last_used_at: number | null };

describe.each(testEngines())('passkeys in the account API (%s)', (engine) => {
  let app: PlatformApp;
  let now = Date.now();

  beforeAll(async () => {
    app = await startPlatformApp({ engine, clock: () => now });
  });
  afterAll(() => app.close());

  const later = async <T>(minutes: number, work: () => Promise<T>): Promise<T> => {
    now += minutes * 60_000;
    try {
      return await work();
    } finally {
      now -= minutes * 60_000;
    }
  };

  it('registers several named passkeys (discoverable, user-verified, the existing ones excluded), lists, renames and removes them', async () => {
    const user = await app.user({ claims: { name: 'Ada Lovelace' } });
    const { account } = await signInToAccount(app, user);
    const first = new SoftAuthenticator(app.issuer);
    const { options, registered } = await registerPasskey(account, first, 'Laptop');
    expect(options).toMatchObject({
      rp: { id: 'id.tessera.test' },
      user: { name: user.email, displayName: 'Ada Lovelace' },
      attestation: 'none',
      timeout: 300_000,
      authenticatorSelection: { residentKey: 'required', requireResidentKey: true, userVerification: 'required' },
      excludeCredentials: [],
    });
    expect(options.user.id).not.toContain(user.sub);
    expect(registered.status).toBe(201);
    expect(registered.body).toMatchObject({ name: 'Laptop', device_type: 'singleDevice', backed_up: false, transports: ['usb', 'nfc'], last_used_at: null });
    expect(registered.body['aaguid']).toBe(first.aaguid.toString('hex').replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5'));

    // The same authenticator cannot register twice: its credential is excluded.
    const second = await registerPasskey(account, new SoftAuthenticator(app.issuer, true), 'Phone');
    expect(second.options.excludeCredentials?.map((c) => c.id)).toEqual([registered.body['credential_id']]);
    expect(second.options.user.id).toBe(options.user.id); // one user handle per account
    expect(() => first.create(second.options)).toThrow(/InvalidStateError/);
    expect(second.registered.body).toMatchObject({ name: 'Phone', device_type: 'multiDevice', backed_up: true });

    const list = await account<PasskeyView[]>('GET', '/passkeys');
    expect(list.headers.get('cache-control')).toBe('no-store');
    expect(list.body.map((p) => p.name).sort()).toEqual(['Laptop', 'Phone']);
    expect(JSON.stringify(list.body)).not.toMatch(/public_key|user_handle/);

    const renamed = await account('PATCH', `/passkeys/${registered.body['id']}`, { name: '  Work laptop ' });
    expect(renamed.status).toBe(200);
    expect(renamed.body['name']).toBe('Work laptop');
    for (const name of ['', '   ', 'x'.repeat(65), 42, 'tab\there']) {
      const bad = await account('PATCH', `/passkeys/${registered.body['id']}`, { name });
      expect(bad.status).toBe(400);
      expect(bad.body['error']).toBe('invalid_request');
    }

    expect((await account('DELETE', `/passkeys/${second.registered.body['id']}`)).status).toBe(204);
    expect((await account<PasskeyView[]>('GET', '/passkeys')).body.map((p) => p.name)).toEqual(['Work laptop']);
    // Each change is an mfa.changed event, written with it.
    expect(await mfaChangesOf(app, user.sub)).toEqual([
      { sub: user.sub, factor: 'passkey', change: 'added' },
      { sub: user.sub, factor: 'passkey', change: 'added' },
      { sub: user.sub, factor: 'passkey', change: 'removed' },
    ]);
  });

  it('refuses a registration for another origin or RP ID, without user verification, or with a used challenge', async () => {
    const user = await app.user();
    const { account } = await signInToAccount(app, user);
    const authenticator = new SoftAuthenticator(app.issuer);
    for (const overrides of [{ origin: 'https://evil.example' }, { rpId: 'evil.example' }, { userVerified: false }, { type: 'webauthn.get' }]) {
      const { registered } = await registerPasskey(account, authenticator, 'Key', overrides);
      expect(registered.status).toBe(400);
      expect(registered.body['error']).toBe('invalid_request');
    }
    const { response, registered } = await registerPasskey(account, authenticator, 'Key');
    expect(registered.status).toBe(201);
    const replay = await account('POST', '/passkeys', { name: 'Again', response });
    expect(replay.status).toBe(401);
    expect((await account<PasskeyView[]>('GET', '/passkeys')).body).toHaveLength(1);
  });

  it("does not complete another account's registration ceremony", async () => {
    const alice = await signInToAccount(app, await app.user());
    const bob = await signInToAccount(app, await app.user());
    const options = await alice.account('POST', '/passkeys/options', {});
    const response = new SoftAuthenticator(app.issuer).create(options.body as never);
    expect((await bob.account('POST', '/passkeys', { name: 'Stolen', response })).status).toBe(401);
    expect((await bob.account<PasskeyView[]>('GET', '/passkeys')).body).toEqual([]);
    expect((await alice.account<PasskeyView[]>('GET', '/passkeys')).body).toEqual([]);
  });

  it('needs a recent sign-in (or the current password) to add or remove a passkey', async () => {
    const user = await app.user();
    const { account } = await signInToAccount(app, user);
    const { registered } = await registerPasskey(account, new SoftAuthenticator(app.issuer), 'Key');
    await later(6, async () => {
      const addLate = await account('POST', '/passkeys/options', {});
      expect(addLate.status).toBe(403);
      expect(addLate.body).toMatchObject({ error: 'reauthentication_required', max_age: 300 });
      const removeLate = await account('DELETE', `/passkeys/${registered.body['id']}`);
      expect(removeLate.status).toBe(403);
      expect(removeLate.body).toMatchObject({ error: 'reauthentication_required', max_age: 300 });
      expect((await account('DELETE', `/passkeys/${registered.body['id']}`, { current_password: 'wrong password!' })).status).toBe(401);
      expect((await account<PasskeyView[]>('GET', '/passkeys')).body).toHaveLength(1);
      expect((await account('DELETE', `/passkeys/${registered.body['id']}`, { current_password: user.password })).status).toBe(204);
    });
    expect((await account<PasskeyView[]>('GET', '/passkeys')).body).toEqual([]);
  });

  it("never removes a user's last way to sign in: a passwordless user keeps at least one passkey", async () => {
    const created = await app.internal('POST', '/internal/users', { email: `passwordless-${Date.now()}@example.com` });
    expect(created.body['has_password']).toBe(false);
    const sub = created.body['sub'] as string;
    const key = new SoftAuthenticator(app.issuer);
    const seeded = await seedPasskey(app, sub, key);

    const { account } = await signInToAccountWithPasskey(app, key);
    expect((await account('GET', '')).body['sub']).toBe(sub);
    const last = await account('DELETE', `/passkeys/${seeded.id}`);
    expect(last.status).toBe(409);
    expect(last.body['error']).toBe('last_sign_in_method');

    const { registered } = await registerPasskey(account, new SoftAuthenticator(app.issuer, true), 'Phone');
    expect(registered.status).toBe(201);
    expect((await account('DELETE', `/passkeys/${seeded.id}`)).status).toBe(204);
    const stillLast = await account('DELETE', `/passkeys/${registered.body['id']}`);
    expect(stillLast.status).toBe(409);
    expect((await account<PasskeyView[]>('GET', '/passkeys')).body.map((p) => p.id)).toEqual([registered.body['id']]);
  });

  it("cannot rename or remove another user's passkey", async () => {
    const alice = await signInToAccount(app, await app.user());
    const bob = await signInToAccount(app, await app.user());
    const { registered } = await registerPasskey(bob.account, new SoftAuthenticator(app.issuer), 'Bob');
    expect((await alice.account('PATCH', `/passkeys/${registered.body['id']}`, { name: 'Mine' })).status).toBe(404);
    expect((await alice.account('DELETE', `/passkeys/${registered.body['id']}`)).status).toBe(404);
    expect((await bob.account<PasskeyView[]>('GET', '/passkeys')).body.map((p) => p.name)).toEqual(['Bob']);
  });

  it('answers a malformed passkey id in the path (NUL, other characters, too long) with 404, never a 500', async () => {
    const user = await app.user();
    const { account } = await signInToAccount(app, user);
    const { registered } = await registerPasskey(account, new SoftAuthenticator(app.issuer), 'Key');
    for (const id of ['%00', `${registered.body['id'] as string}%00`, '%C3%A9t%C3%A9', 'a%20b', 'x'.repeat(65)]) {
      const renamed = await account('PATCH', `/passkeys/${id}`, { name: 'x' });
      expect({ id, status: renamed.status, error: renamed.body['error'] }).toEqual({ id, status: 404, error: 'not_found' });
      const removed = await account('DELETE', `/passkeys/${id}`, { current_password: user.password });
      expect({ id, status: removed.status, error: removed.body['error'] }).toEqual({ id, status: 404, error: 'not_found' });
    }
    expect((await account<PasskeyView[]>('GET', '/passkeys')).body.map((p) => p.name)).toEqual(['Key']);
  });

  it('answers malformed registrations with 400 and needs the account token', async () => {
    const { account } = await signInToAccount(app, await app.user());
    expect((await account('POST', '/passkeys', { name: 'Key' })).status).toBe(400);
    expect((await account('POST', '/passkeys', { name: 'Key', response: { id: 'x' } })).status).toBe(400);
    expect((await account('POST', '/passkeys', ['nope'])).status).toBe(400);
    expect((await fetch(`${app.url}/auth/account/passkeys`)).status).toBe(401);
  });

  it("deletes a user's passkeys with the user: the passkey no longer signs in", async () => {
    const user = await app.user();
    const { account } = await signInToAccount(app, user);
    const key = new SoftAuthenticator(app.issuer);
    expect((await registerPasskey(account, key, 'Key')).registered.status).toBe(201);
    expect((await account('DELETE', '')).status).toBe(204);
    const portal = new Portal(app, app.browser());
    const { answer } = await loginWithPasskey(portal, await portal.authorize((await app.client()).client_id), key);
    expect(answer.status).toBe(401);
  });
});
