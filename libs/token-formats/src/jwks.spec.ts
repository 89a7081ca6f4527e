import { generateKeyPairSync } from 'node:crypto';
import { createLocalJWKSet, jwtVerify, type JWK } from 'jose';
import { JwsSigner } from './jws-signer';
import { buildJwks, jwkThumbprint, toPublicJwk } from './jwks';
import { generateSigningKey, SIGNING_ALGS, type SigningAlg, type SigningKey } from './signing-key';

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

const keys = {} as Record<SigningAlg, SigningKey>;

beforeAll(async () => {
  for (const alg of SIGNING_ALGS) keys[alg] = await generateSigningKey(alg);
});

describe('buildJwks', () => {
  it('publishes every key with its public members and metadata', () => {
    const jwks = buildJwks(SIGNING_ALGS.map((alg) => keys[alg]));

    expect(jwks).toEqual({ keys: SIGNING_ALGS.map((alg) => keys[alg].publicJwk) });
  });

  it('never publishes a private member, even when handed private JWKs', () => {
    const jwks = buildJwks(SIGNING_ALGS.map((alg) => ({ publicJwk: keys[alg].privateJwk })));

    expect(jwks.keys).toHaveLength(SIGNING_ALGS.length);
    for (const jwk of jwks.keys) {
      for (const member of PRIVATE_MEMBERS) expect(jwk).not.toHaveProperty(member);
    }
    expect(jwks).toEqual({ keys: SIGNING_ALGS.map((alg) => keys[alg].publicJwk) });
  });

  it('drops members it does not know, such as multi-prime oth or stray fields', () => {
    const rsa = keys.RS256.privateJwk;
    const jwks = buildJwks([
      { publicJwk: { ...rsa, oth: [{ r: 'AQ', d: 'AQ', t: 'AQ' }], secret: 'x' } as JWK },
    ]);

    expect(jwks.keys[0]).toEqual(keys.RS256.publicJwk);
  });

  it('produces a JWKS that jose verifies tokens against', async () => {
    const signer = new JwsSigner(keys.EdDSA.privateJwk);
    const jwks = createLocalJWKSet(
      buildJwks(SIGNING_ALGS.map((alg) => ({ publicJwk: keys[alg].privateJwk }))),
    );

    await expect(jwtVerify(signer.sign({ sub: 'alice' }), jwks)).resolves.toMatchObject({
      payload: { sub: 'alice' },
    });
  });

  it('refuses a symmetric key, which has no public half', () => {
    expect(() => buildJwks([{ publicJwk: { kty: 'oct', k: 'c2VjcmV0', kid: 'h1' } }])).toThrow(/oct/);
  });

  it('refuses a key without a kty or without its public parameters', () => {
    expect(() => buildJwks([{ publicJwk: { x: 'abc' } }])).toThrow(TypeError);
    expect(() => buildJwks([{ publicJwk: { kty: 'EC', crv: 'P-256', x: 'abc' } }])).toThrow(/"y"/);
  });

  it('refuses two keys with the same kid', () => {
    expect(() =>
      buildJwks([keys.ES256, { publicJwk: { ...keys.EdDSA.publicJwk, kid: keys.ES256.kid } }]),
    ).toThrow(/kid/);
  });
});

describe('toPublicJwk', () => {
  it('does not modify the JWK it is given', () => {
    const privateJwk = { ...keys.ES256.privateJwk };

    toPublicJwk(privateJwk);
    expect(privateJwk).toEqual(keys.ES256.privateJwk);
  });
});

describe('jwkThumbprint', () => {
  it('matches the RFC 7638 §3.1 example', async () => {
    const jwk: JWK = {
      kty: 'RSA',
      n:
        '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMs' +
        'tn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajr' +
        'n1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
      e: 'AQAB',
      alg: 'RS256',
      kid: '2011-04-29',
    };

    await expect(jwkThumbprint(jwk)).resolves.toBe('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
  });

  it('gives the same value for the private and the public half of a key', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');

    await expect(jwkThumbprint(privateKey.export({ format: 'jwk' }) as JWK)).resolves.toBe(
      await jwkThumbprint(publicKey.export({ format: 'jwk' }) as JWK),
    );
  });
});
