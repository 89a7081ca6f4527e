import { constants, createPublicKey, generateKeyPairSync, verify, type JsonWebKey } from 'node:crypto';
import * as fc from 'fast-check';
import {
  compactVerify,
  createLocalJWKSet,
  decodeProtectedHeader,
  errors,
  importJWK,
  jwtVerify,
  type JWK,
} from 'jose';
import { JwsSigner } from './jws-signer';
import { buildJwks } from './jwks';
import { generateSigningKey, SIGNING_ALGS, type SigningAlg, type SigningKey } from './signing-key';

const keys = {} as Record<SigningAlg, SigningKey>;
const signers = {} as Record<SigningAlg, JwsSigner>;

beforeAll(async () => {
  for (const alg of SIGNING_ALGS) {
    keys[alg] = await generateSigningKey(alg);
    signers[alg] = new JwsSigner(keys[alg].privateJwk);
  }
});

const decodeSegment = (segment: string) => JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));

function tamperPayload(jws: string): string {
  const [header, payload, signature] = jws.split('.');
  const changed = { ...decodeSegment(payload), sub: 'mallory' };
  return [header, Buffer.from(JSON.stringify(changed)).toString('base64url'), signature].join('.');
}

function tamperSignature(jws: string): string {
  const [header, payload, signature] = jws.split('.');
  const bytes = Buffer.from(signature, 'base64url');
  bytes[bytes.length >> 1] ^= 0x01;
  return [header, payload, bytes.toString('base64url')].join('.');
}

describe.each(SIGNING_ALGS)('JwsSigner with %s', (alg) => {
  it('produces a JWS that jose verifies with the public JWK', async () => {
    const jws = signers[alg].sign({ sub: 'alice', n: 1 });

    const { payload, protectedHeader } = await compactVerify(jws, await importJWK(keys[alg].publicJwk, alg));
    expect(JSON.parse(new TextDecoder().decode(payload))).toEqual({ sub: 'alice', n: 1 });
    expect(protectedHeader).toEqual({ alg, kid: keys[alg].kid });
  });

  it('produces a JWT that jose verifies through the JWKS, with alg, kid and typ in the header', async () => {
    const jwks = createLocalJWKSet(buildJwks(SIGNING_ALGS.map((a) => keys[a])));
    const jwt = signers[alg].sign({ iss: 'https://id.example', sub: 'alice' }, { typ: 'JWT' });

    const { payload, protectedHeader } = await jwtVerify(jwt, jwks, {
      issuer: 'https://id.example',
      typ: 'JWT',
    });
    expect(payload).toEqual({ iss: 'https://id.example', sub: 'alice' });
    expect(protectedHeader).toEqual({ alg, kid: keys[alg].kid, typ: 'JWT' });
  });

  it('writes the header for each typ, whatever was signed before', () => {
    const s = signers[alg];
    const headers = [
      s.sign({}, { typ: 'at+jwt' }),
      s.sign({}),
      s.sign({}, { typ: '' }),
      s.sign({}, { typ: 'JWT' }),
      s.sign({}, { typ: 'at+jwt' }),
      s.sign({}),
    ].map((jws) => decodeProtectedHeader(jws));

    expect(headers).toEqual([
      { alg, kid: keys[alg].kid, typ: 'at+jwt' },
      { alg, kid: keys[alg].kid },
      { alg, kid: keys[alg].kid, typ: '' },
      { alg, kid: keys[alg].kid, typ: 'JWT' },
      { alg, kid: keys[alg].kid, typ: 'at+jwt' },
      { alg, kid: keys[alg].kid },
    ]);
  });

  it('fails verification when the payload is tampered with', async () => {
    const jws = signers[alg].sign({ sub: 'alice' });
    const key = await importJWK(keys[alg].publicJwk, alg);

    await expect(compactVerify(tamperPayload(jws), key)).rejects.toBeInstanceOf(
      errors.JWSSignatureVerificationFailed,
    );
  });

  it('fails verification when the signature is tampered with', async () => {
    const jws = signers[alg].sign({ sub: 'alice' });
    const key = await importJWK(keys[alg].publicJwk, alg);

    await expect(compactVerify(tamperSignature(jws), key)).rejects.toBeInstanceOf(
      errors.JWSSignatureVerificationFailed,
    );
  });

  it('fails verification against another key of the same algorithm', async () => {
    const other = await generateSigningKey(alg);
    const jws = signers[alg].sign({ sub: 'alice' });

    await expect(compactVerify(jws, await importJWK(other.publicJwk, alg))).rejects.toBeInstanceOf(
      errors.JWSSignatureVerificationFailed,
    );
  });

  it('exposes the public JWK it signs for', () => {
    expect(signers[alg].publicJwk).toEqual(keys[alg].publicJwk);
    expect(signers[alg].kid).toBe(keys[alg].kid);
    expect(signers[alg].alg).toBe(alg);
  });

  it('refuses to be built from the public JWK', () => {
    expect(() => new JwsSigner(keys[alg].publicJwk)).toThrow(TypeError);
  });
});

describe('JwsSigner signature encodings', () => {
  it('writes ES256 signatures as 64 raw bytes (r||s), not DER', () => {
    const jws = signers.ES256.sign({ sub: 'alice' });
    const [header, payload, signature] = jws.split('.');
    const bytes = Buffer.from(signature, 'base64url');

    expect(bytes).toHaveLength(64);
    const publicKey = createPublicKey({ key: keys.ES256.publicJwk as JsonWebKey, format: 'jwk' });
    const data = Buffer.from(`${header}.${payload}`);
    expect(verify('sha256', data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, bytes)).toBe(true);
    expect(verify('sha256', data, { key: publicKey, dsaEncoding: 'der' }, bytes)).toBe(false);
  });

  it('signs PS256 with PSS padding and a 32-byte salt', () => {
    const jws = signers.PS256.sign({ sub: 'alice' });
    const [header, payload, signature] = jws.split('.');
    const publicKey = createPublicKey({ key: keys.PS256.publicJwk as JsonWebKey, format: 'jwk' });
    const data = Buffer.from(`${header}.${payload}`);
    const bytes = Buffer.from(signature, 'base64url');

    const pss = (saltLength: number) =>
      verify('sha256', data, { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength }, bytes);
    expect(pss(32)).toBe(true);
    expect(pss(20)).toBe(false);
    expect(verify('sha256', data, publicKey, bytes)).toBe(false); // not PKCS#1 v1.5
  });

  it('signs RS256 with PKCS#1 v1.5, deterministically', () => {
    const a = signers.RS256.sign({ sub: 'alice' });
    const b = signers.RS256.sign({ sub: 'alice' });

    expect(a).toBe(b);
  });
});

describe('JwsSigner construction', () => {
  const withMeta = (jwk: JsonWebKey, alg: string): JWK => ({ ...(jwk as JWK), kid: 'k1', alg, use: 'sig' });

  it('refuses a key that does not match its alg', () => {
    expect(() => new JwsSigner({ ...keys.ES256.privateJwk, alg: 'RS256' })).toThrow(/cannot sign RS256/);
    expect(() => new JwsSigner({ ...keys.RS256.privateJwk, alg: 'ES256' })).toThrow(/cannot sign ES256/);
    expect(() => new JwsSigner({ ...keys.EdDSA.privateJwk, alg: 'PS256' })).toThrow(/cannot sign PS256/);
  });

  it('refuses an EC key on another curve for ES256', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });

    expect(() => new JwsSigner(withMeta(privateKey.export({ format: 'jwk' }), 'ES256'))).toThrow(
      /cannot sign ES256/,
    );
  });

  it('refuses an RSA key shorter than 2048 bits', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });

    expect(() => new JwsSigner(withMeta(privateKey.export({ format: 'jwk' }), 'RS256'))).toThrow(/1024 bits/);
  });

  it.each(['none', 'HS256', undefined])('refuses alg %s', (alg) => {
    expect(() => new JwsSigner({ ...keys.ES256.privateJwk, alg })).toThrow(TypeError);
  });

  it('refuses a JWK without kid or meant for encryption', () => {
    expect(() => new JwsSigner({ ...keys.ES256.privateJwk, kid: undefined })).toThrow(/kid/);
    expect(() => new JwsSigner({ ...keys.ES256.privateJwk, use: 'enc' })).toThrow(/use/);
  });

  it.each([null, [], 'text', 42])('refuses to sign the non-object payload %p', (payload) => {
    expect(() => signers.ES256.sign(payload as object)).toThrow(TypeError);
  });
});

describe('JwsSigner round trip (property)', () => {
  // JSON-safe: what JSON.parse can give back for an object (this normalises -0 to 0).
  const jsonObject = fc
    .dictionary(fc.string({ unit: 'binary' }), fc.jsonValue({ stringUnit: 'binary', maxDepth: 3 }))
    .map((value) => JSON.parse(JSON.stringify(value)) as Record<string, unknown>);

  it('verifies and returns exactly the signed payload, for every algorithm', async () => {
    const jwks = createLocalJWKSet(buildJwks(SIGNING_ALGS.map((a) => keys[a])));
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...SIGNING_ALGS),
        jsonObject,
        fc.option(fc.string()),
        async (alg, payload, typ) => {
          const jws = signers[alg].sign(payload, typ === null ? {} : { typ });

          const { payload: bytes, protectedHeader } = await compactVerify(jws, jwks);
          expect(JSON.parse(new TextDecoder().decode(bytes))).toEqual(payload);
          expect(protectedHeader.alg).toBe(alg);
          expect(protectedHeader.typ).toBe(typ ?? undefined);
        },
      ),
      { numRuns: 200 },
    );
  });
});
