import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MasterKeyring, randomSecret } from '@tessera/runtime';
import { testEngines } from '@tessera/test-kit';
import { totpSecretContext } from '../../src/mfa/totp.service';
import { MasterKeyReencryptionService } from '../../src/secrets/master-key-reencryption.service';
import { upstreamClientSecretContext } from '../../src/upstream/upstream-idps.service';
import { startPlatformApp, type PlatformApp } from '../support/platform-app';
import { claimsOf, Portal, signInToAccount } from '../support/portal';
import { ACR_MFA, authDataSource, enrollTotp, secondFactor, totpCode } from './mfa-support';

const reencryption = (app: PlatformApp) => app.running.app.get(MasterKeyReencryptionService, { strict: false });

async function storedTotp(app: PlatformApp, sub: string): Promise<string> {
  const ds = authDataSource(app);
  const rows = (await ds.query(`SELECT "secret_encrypted" FROM "mfa_totp" WHERE "sub" = ${ds.options.type === 'postgres' ? '$1' : '?'}`, [sub])) as Array<{ secret_encrypted: string }>;
  return rows[0].secret_encrypted;
}

async function storeTotp(app: PlatformApp, sub: string, value: string) {
  const ds = authDataSource(app);
  const pg = ds.options.type === 'postgres';
  await ds.query(`UPDATE "mfa_totp" SET "secret_encrypted" = ${pg ? '$1' : '?'} WHERE "sub" = ${pg ? '$2' : '?'}`, [value, sub]);
}

async function storedUpstreamSecret(app: PlatformApp, id: string): Promise<string> {
  const ds = authDataSource(app);
  const rows = (await ds.query(`SELECT "client_secret_encrypted" FROM "upstream_idps" WHERE "id" = ${ds.options.type === 'postgres' ? '$1' : '?'}`, [id])) as Array<{ client_secret_encrypted: string }>;
  return rows[0].client_secret_encrypted;
}

/** Signs in with password and the authenticator app; the ID token's acr says a second factor was used. */
async function signInWithTotp(app: PlatformApp, user: { sub: string; email: string; password: string }, secret: string, nowMs: number) {
  const clientId = (await app.client()).client_id;
  const portal = new Portal(app, app.browser());
  const loginUrl = await portal.authorize(clientId);
  const password = await portal.loginWithPassword(loginUrl, user.email, user.password);
  expect(password.body).toMatchObject({ next: 'second_factor' });
  const totp = await secondFactor(portal, 'totp', loginUrl, await totpCode(secret, nowMs));
  expect(totp.status).toBe(200);
  const callback = await portal.toCallback(totp.body.redirect_to as string);
  return claimsOf((await portal.redeem(clientId, callback.searchParams.get('code') as string))['id_token'] as string);
}

/**
 * After a master-key rotation the authentication service rewrites TOTP secrets and upstream IdP
 * client secrets under the new key, so the retired key can be dropped without locking anyone out
 * of their second factor (docs/operations.md, "Master-key rotation").
 */
describe.each(testEngines())('master-key rotation of the auth-service secrets (%s)', (engine) => {
  const oldKey = randomSecret(32);
  const newKey = randomSecret(32);
  let app: PlatformApp;
  let now = Date.now();
  beforeAll(async () => {
    app = await startPlatformApp({ engine, clock: () => now, env: { TESSERA_MASTER_KEY: newKey, TESSERA_MASTER_KEYS_RETIRED: oldKey } });
    await reencryption(app).settled();
  });
  afterAll(() => app?.close());

  it('rewrites values left under the retired key, leaves current ones, and counts what no key opens', async () => {
    const rotated = new MasterKeyring(newKey, [oldKey]);
    const before = new MasterKeyring(oldKey);
    const [alice, bob, carol, dave] = [await app.user(), await app.user(), await app.user(), await app.user()];
    const secrets = new Map<string, string>();
    for (const user of [alice, bob, carol, dave]) secrets.set(user.sub, await enrollTotp((await signInToAccount(app, user)).account, now));
    expect((await app.internal('POST', '/internal/upstream-idps', { id: 'corp', display_name: 'Corp', issuer: 'https://idp.example.com', client_id: 'tessera', client_secret: 'upstream-client-secret' })).status).toBe(201);
    // Alice, Bob and the IdP as if set up before the rotation; Carol's value under a key long gone.
    for (const user of [alice, bob]) await storeTotp(app, user.sub, await before.encrypt(secrets.get(user.sub) as string, totpSecretContext(user.sub)));
    await storeTotp(app, carol.sub, await new MasterKeyring(randomSecret(32)).encrypt(secrets.get(carol.sub) as string, totpSecretContext(carol.sub)));
    const carolsValue = await storedTotp(app, carol.sub);
    const davesValue = await storedTotp(app, dave.sub);
    const corpContext = upstreamClientSecretContext('corp');
    const ds = authDataSource(app);
    await ds.query(`UPDATE "upstream_idps" SET "client_secret_encrypted" = ${ds.options.type === 'postgres' ? '$1' : '?'}`, [await before.encrypt('upstream-client-secret', corpContext)]);

    const report = await reencryption(app).run();

    expect(report).toEqual({ rewritten: { mfa_totp: 2, upstream_idps: 1 }, unreadable: { mfa_totp: 1 }, failed: {} });
    const onlyNew = new MasterKeyring(newKey);
    for (const user of [alice, bob]) {
      const value = await storedTotp(app, user.sub);
      expect(rotated.isStale(value)).toBe(false);
      expect(await onlyNew.decrypt(value, totpSecretContext(user.sub))).toBe(secrets.get(user.sub));
    }
    expect(await onlyNew.decrypt(await storedUpstreamSecret(app, 'corp'), corpContext)).toBe('upstream-client-secret');
    // Untouched: Dave's was already current, Carol's cannot be opened (and is reported, not destroyed).
    expect(await storedTotp(app, dave.sub)).toBe(davesValue);
    expect(await storedTotp(app, carol.sub)).toBe(carolsValue);
    expect(app.logs.join('')).toMatch(/stored secrets under a master key this service does not have/);

    // Nothing left to do: a second pass (another replica, the next start) changes nothing.
    expect(await reencryption(app).run()).toEqual({ rewritten: {}, unreadable: { mfa_totp: 1 }, failed: {} });

    // The rewritten secret still signs Alice in with her authenticator app.
    now += 30_000;
    const idToken = await signInWithTotp(app, alice, secrets.get(alice.sub) as string, now);
    expect(idToken).toMatchObject({ sub: alice.sub, acr: ACR_MFA });
  });

  it('reads page after page: every stale value is rewritten, however many', async () => {
    const users = [];
    for (let i = 0; i < 5; i++) users.push(await app.user());
    const secrets = new Map<string, string>();
    for (const user of users) {
      const secret = await enrollTotp((await signInToAccount(app, user)).account, now);
      secrets.set(user.sub, secret);
      await storeTotp(app, user.sub, await new MasterKeyring(oldKey).encrypt(secret, totpSecretContext(user.sub)));
    }
    const service = reencryption(app);
    service.batchSize = 2;
    try {
      expect((await service.run()).rewritten).toEqual({ mfa_totp: 5 });
    } finally {
      service.batchSize = 200;
    }
    const onlyNew = new MasterKeyring(newKey);
    for (const user of users) expect(await onlyNew.decrypt(await storedTotp(app, user.sub), totpSecretContext(user.sub))).toBe(secrets.get(user.sub));
  });

  it('leaves an enrollment in progress alone, so that its confirmation still matches', async () => {
    const user = await app.user();
    const { account } = await signInToAccount(app, user);
    const started = await account<{ secret: string }>('POST', '/mfa/totp');
    const underOldKey = await new MasterKeyring(oldKey).encrypt(started.body.secret, totpSecretContext(user.sub));
    await storeTotp(app, user.sub, underOldKey);

    expect((await reencryption(app).run()).rewritten).toEqual({});
    expect(await storedTotp(app, user.sub)).toBe(underOldKey);
    expect((await account('POST', '/mfa/totp/confirm', { code: await totpCode(started.body.secret, now) })).status).toBe(200);
    // Confirmed, it is a factor like any other: the next pass rewrites it.
    expect((await reencryption(app).run()).rewritten).toEqual({ mfa_totp: 1 });
    expect(await new MasterKeyring(newKey).decrypt(await storedTotp(app, user.sub), totpSecretContext(user.sub))).toBe(started.body.secret);
  });

  it('never logs a secret it rewrites', async () => {
    const user = await app.user();
    const secret = await enrollTotp((await signInToAccount(app, user)).account, now);
    await storeTotp(app, user.sub, await new MasterKeyring(oldKey).encrypt(secret, totpSecretContext(user.sub)));

    expect((await reencryption(app).run()).rewritten).toEqual({ mfa_totp: 1 });
    expect(app.logs.join('')).not.toContain(secret);
  });
});

/** The whole story on one data directory: enrolled under the old key, rotated, then the old key dropped. */
describe('master-key rotation across restarts (sqlite)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-rotation-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
  const oldKey = randomSecret(32);
  const newKey = randomSecret(32);
  let now = Date.now();
  const start = (env: Record<string, string>) => startPlatformApp({ clock: () => now, env: { TESSERA_DATA_DIR: dataDir, ...env } });

  it('keeps a TOTP enrolled before the rotation working after the retired key is gone', async () => {
    let app = await start({ TESSERA_MASTER_KEY: oldKey });
    const user = await app.user();
    const secret = await enrollTotp((await signInToAccount(app, user)).account, now);
    await app.close();

    // Round 2 of the rotation: the start rewrites the secret under the new key.
    app = await start({ TESSERA_MASTER_KEY: newKey, TESSERA_MASTER_KEYS_RETIRED: oldKey });
    expect(await reencryption(app).settled()).toEqual({ rewritten: { mfa_totp: 1 }, unreadable: {}, failed: {} });
    await app.close();

    // The retired key dropped: the authenticator app still works.
    app = await start({ TESSERA_MASTER_KEY: newKey });
    try {
      now += 30_000;
      expect(await signInWithTotp(app, user, secret, now)).toMatchObject({ sub: user.sub, acr: ACR_MFA });
    } finally {
      await app.close();
    }
  });
});
