import { createPrivateKey, createPublicKey, type JsonWebKey } from 'node:crypto';
import { calculateJwkThumbprint } from 'jose';
import { generateSigningKey, SIGNING_ALGS, type SigningAlg } from './signing-key';

const PUBLIC_SHAPE: Record<SigningAlg, { kty: string; members: string[]; crv?: string }> = {
  ES256: { kty: 'EC', members: ['crv', 'x', 'y'], crv: 'P-256' },
  RS256: { kty: 'RSA', members: ['n', 'e'] },
  PS256: { kty: 'RSA', members: ['n', 'e'] },
  EdDSA: { kty: 'OKP', members: ['crv', 'x'], crv: 'Ed25519' },
};

describe.each(SIGNING_ALGS)('generateSigningKey(%s)', (alg) => {
  it('identifies the key by the RFC 7638 thumbprint of its public half', async () => {
    const key = await generateSigningKey(alg);

    expect(key.alg).toBe(alg);
    expect(key.kid).toBe(await calculateJwkThumbprint(key.publicJwk, 'sha256'));
    expect(key.publicJwk.kid).toBe(key.kid);
    expect(key.privateJwk.kid).toBe(key.kid);
  });

  it('publishes kty, the public parameters, kid, alg and use: sig, and nothing else', async () => {
    const key = await generateSigningKey(alg);
    const shape = PUBLIC_SHAPE[alg];

    expect(Object.keys(key.publicJwk).sort()).toEqual(['kty', ...shape.members, 'kid', 'alg', 'use'].sort());
    expect(key.publicJwk).toMatchObject({ kty: shape.kty, alg, use: 'sig' });
    if (shape.crv) expect(key.publicJwk.crv).toBe(shape.crv);
  });

  it('returns a private JWK that belongs to the public one', async () => {
    const key = await generateSigningKey(alg);

    expect(typeof key.privateJwk.d).toBe('string');
    expect(key.privateJwk).toMatchObject({ alg, use: 'sig' });
    const derivedPublic = createPublicKey(
      createPrivateKey({ key: key.privateJwk as JsonWebKey, format: 'jwk' }),
    );
    const published = createPublicKey({ key: key.publicJwk as JsonWebKey, format: 'jwk' });
    expect(derivedPublic.equals(published)).toBe(true);
  });

  it('generates a different key every time', async () => {
    const [a, b] = await Promise.all([generateSigningKey(alg), generateSigningKey(alg)]);

    expect(a.kid).not.toBe(b.kid);
  });
});

describe('generateSigningKey key sizes', () => {
  it.each(['RS256', 'PS256'] as const)('makes 2048-bit RSA keys for %s', async (alg) => {
    const key = await generateSigningKey(alg);

    expect(Buffer.from(key.publicJwk.n ?? '', 'base64url')).toHaveLength(256);
    expect(key.publicJwk.e).toBe('AQAB');
  });

  it('refuses an algorithm it does not know', async () => {
    await expect(generateSigningKey('HS256' as SigningAlg)).rejects.toThrow(TypeError);
  });
});
