import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { FakeClock, testEngines } from '@tessera/test-kit';
import { SigningKeyEntity } from '../../src/adapters/typeorm/entities';
import { startTokenService, type TestApp } from '../support/token-service-app';
import { API, dataSourceOf, isActive, issueJwt, publishedKeys, publishedKids, rotate, settleKeyReload } from './keys.fixture';

const MAX_TOKEN_TTL = 86_400;
/** Members a published JWK may carry, per key type (RFC 7518 §6.2.1 / §6.3.1) plus kid, alg, use. */
const PUBLIC_MEMBERS: Record<string, string[]> = {
  EC: ['kty', 'crv', 'x', 'y', 'kid', 'alg', 'use'],
  RSA: ['kty', 'n', 'e', 'kid', 'alg', 'use'],
  OKP: ['kty', 'crv', 'x', 'kid', 'alg', 'use'],
};

/** Signing keys: stored encrypted, published before they sign, kept published until their tokens expire. */
describe.each(testEngines())('signing keys and JWKS (%s)', (engine) => {
  let app: TestApp;
  const clock = new FakeClock();
  let es256Client: { client_id: string; basic: string };
  let rs256Client: { client_id: string; basic: string };

  beforeAll(async () => {
    app = await startTokenService({ engine, clock: clock.now });
    es256Client = await app.client({ access_token_format: 'jwt', access_token_signing_alg: 'ES256', default_audience: [API] });
    rs256Client = await app.client({ access_token_format: 'jwt', access_token_signing_alg: 'RS256', default_audience: [API] });
  });
  afterAll(() => app?.close());

  it('publishes only public members, each key with kid, alg and use, as application/jwk-set+json', async () => {
    const { keys, contentType } = await publishedKeys(app);
    expect(contentType).toMatch(/^application\/jwk-set\+json/);
    expect(new Set(keys.map((k) => k.alg))).toEqual(new Set(['ES256', 'RS256', 'PS256', 'EdDSA']));
    expect(new Set(keys.map((k) => k.kid)).size).toBe(keys.length);
    for (const key of keys) {
      expect(key).toMatchObject({ kid: expect.any(String), alg: expect.stringMatching(/^(ES256|RS256|PS256|EdDSA)$/), use: 'sig' });
      expect(Object.keys(key).filter((m) => !PUBLIC_MEMBERS[key.kty as string].includes(m))).toEqual([]);
    }
  });

  it('signs with one current key per algorithm, published in the JWKS', async () => {
    const es = await issueJwt(app, es256Client);
    const es2 = await issueJwt(app, es256Client);
    const rs = await issueJwt(app, rs256Client);
    expect(es.alg).toBe('ES256');
    expect(rs.alg).toBe('RS256');
    expect(es2.kid).toBe(es.kid);
    const jwks = createLocalJWKSet((await publishedKeys(app)) as JSONWebKeySet);
    for (const { token } of [es, rs]) {
      await expect(jwtVerify(token, jwks, { issuer: app.issuer, audience: API, typ: 'at+jwt', currentDate: new Date(clock.now()) })).resolves.toBeDefined();
    }
  });

  it('stores private keys encrypted under the master key (a JWE, no "d" in clear)', async () => {
    const rows = await dataSourceOf(app).getRepository(SigningKeyEntity).find();
    expect(rows.length).toBeGreaterThanOrEqual(4);
    for (const row of rows) {
      const parts = row.privateJwkEncrypted.split('.');
      expect(parts).toHaveLength(5);
      expect(JSON.parse(Buffer.from(parts[0], 'base64url').toString())).toMatchObject({ alg: 'dir', enc: 'A256GCM' });
      expect(row.privateJwkEncrypted).not.toMatch(/"d"/);
      for (const part of parts) expect(Buffer.from(part, 'base64url').toString('latin1')).not.toMatch(/"d"\s*:/);
      expect(row.publicJwk).not.toHaveProperty('d');
    }
    const listed = await app.internal('GET', '/internal/keys');
    expect(listed.status).toBe(200);
    expect(JSON.stringify(listed.body)).not.toMatch(/private|"d"/i);
  });

  it('rotates to a key that was already published, keeps the old one published, and old tokens stay valid', async () => {
    const before = await publishedKids(app);
    const old = await issueJwt(app, es256Client);
    const rs = await issueJwt(app, rs256Client);

    const [rotated, ...others] = await rotate(app, 'ES256');
    expect(others).toEqual([]);
    expect(rotated).toMatchObject({ alg: 'ES256', previousKid: old.kid });
    // Published before it signs: every verifier that fetched the JWKS before the rotation knows the new key.
    expect(before).toContain(rotated.kid);
    expect(rotated.kid).not.toBe(old.kid);

    const after = await publishedKids(app);
    expect(after).toEqual(expect.arrayContaining([old.kid, rotated.kid, rs.kid]));
    // A fresh `next` key is pre-published for the following rotation.
    expect(after.filter((kid) => !before.includes(kid))).toHaveLength(1);

    const fresh = await issueJwt(app, es256Client);
    expect(fresh.kid).toBe(rotated.kid);
    expect((await issueJwt(app, rs256Client)).kid).toBe(rs.kid);
    expect(await isActive(app, es256Client, old.token)).toBe(true);
    expect(await isActive(app, es256Client, fresh.token)).toBe(true);
    const jwks = createLocalJWKSet({ keys: (await publishedKeys(app)).keys } as JSONWebKeySet);
    await expect(jwtVerify(old.token, jwks, { issuer: app.issuer, audience: API, currentDate: new Date(clock.now()) })).resolves.toBeDefined();
  });

  it('rotates every algorithm when none is named, and refuses an unknown one', async () => {
    const rotated = await rotate(app);
    expect(rotated.map((r) => r.alg).sort()).toEqual(['ES256', 'EdDSA', 'PS256', 'RS256']);
    const bad = await app.internal('POST', '/internal/keys/rotate', { alg: 'HS256' });
    expect({ status: bad.status, error: bad.body['error'] }).toEqual({ status: 400, error: 'invalid_request' });
    const rs = await issueJwt(app, rs256Client);
    expect(rs.kid).toBe(rotated.find((r) => r.alg === 'RS256')?.kid);
  });

  it('keeps a retired key published for the longest token lifetime plus TESSERA_KEY_PUBLISH_GRACE, then drops it', async () => {
    const grace = 600;
    const [{ previousKid }] = await rotate(app, 'RS256');
    expect(previousKid).toEqual(expect.any(String));
    await settleKeyReload(app);
    // The key set is reloaded at most once a minute (or on rotation): each step moves the clock past that.
    clock.advance(MAX_TOKEN_TTL + grace - 61);
    expect(await publishedKids(app)).toContain(previousKid);
    clock.advance(62);
    expect(await publishedKids(app)).not.toContain(previousKid);
    const stored = await dataSourceOf(app).getRepository(SigningKeyEntity).findBy({ kid: previousKid });
    expect(stored).toEqual([]);
    // Signing goes on with the current keys.
    expect((await issueJwt(app, rs256Client)).alg).toBe('RS256');
    expect(decodeProtectedHeader((await issueJwt(app, es256Client)).token).alg).toBe('ES256');
  });
});

describe('signing keys: a longer TESSERA_KEY_PUBLISH_GRACE', () => {
  let app: TestApp;
  const clock = new FakeClock();
  beforeAll(async () => {
    app = await startTokenService({ clock: clock.now, env: { TESSERA_KEY_PUBLISH_GRACE: '7200' } });
  });
  afterAll(() => app?.close());

  it('keeps the retired key published for the configured grace beyond the longest token lifetime', async () => {
    const [{ previousKid }] = await rotate(app, 'ES256');
    await settleKeyReload(app);
    clock.advance(MAX_TOKEN_TTL + 7200 - 61);
    expect(await publishedKids(app)).toContain(previousKid);
    clock.advance(62);
    expect(await publishedKids(app)).not.toContain(previousKid);
  });
});
