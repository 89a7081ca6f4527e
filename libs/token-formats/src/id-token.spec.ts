import { createPrivateKey, createSign, type JsonWebKey } from 'node:crypto';
import * as fc from 'fast-check';
import {
  CompactEncrypt,
  SignJWT,
  UnsecuredJWT,
  decodeProtectedHeader,
  generateKeyPair,
  jwtVerify,
  createLocalJWKSet,
  type JWK,
} from 'jose';
import {
  IdTokenHintError,
  buildIdTokenClaims,
  issueIdToken,
  verifyIdTokenHint,
  type IdTokenClaimsInput,
  type IdTokenHintRejection,
} from './id-token';
import { JwsSigner } from './jws-signer';
import { buildJwks } from './jwks';
import { buildAccessTokenClaims, issueJwtAccessToken } from './jwt-access-token';
import { leftHalfHash } from './oidc-hashes';
import { generateSigningKey, SIGNING_ALGS, type SigningAlg, type SigningKey } from './signing-key';

const ISSUER = 'https://id.example.com';
const CLIENT = 'client-1';
const NOW = 1_750_000_000;
const at = (epochSeconds: number) => new Date(epochSeconds * 1000);

const input = (overrides: Partial<IdTokenClaimsInput> = {}): IdTokenClaimsInput => ({
  issuer: ISSUER,
  sub: 'user-1',
  audience: CLIENT,
  issuedAt: NOW,
  expiresIn: 300,
  alg: 'ES256',
  ...overrides,
});

const keys = {} as Record<SigningAlg, SigningKey>;
const signers = {} as Record<SigningAlg, JwsSigner>;
let ourKeys: JWK[];
let strangerKey: SigningKey;

beforeAll(async () => {
  for (const alg of SIGNING_ALGS) {
    keys[alg] = await generateSigningKey(alg);
    signers[alg] = new JwsSigner(keys[alg].privateJwk);
  }
  ourKeys = SIGNING_ALGS.map((alg) => keys[alg].publicJwk);
  strangerKey = await generateSigningKey('ES256');
});

describe('buildIdTokenClaims', () => {
  it('builds the minimal claim set, aud being the client_id string', () => {
    expect(buildIdTokenClaims(input())).toEqual({
      iss: ISSUER,
      sub: 'user-1',
      aud: CLIENT,
      exp: NOW + 300,
      iat: NOW,
    });
  });

  it('carries every optional claim it is given, with the hashes of the given values', () => {
    const claims = buildIdTokenClaims(
      input({
        authorizedParty: CLIENT,
        authTime: NOW - 60,
        nonce: 'n-0S6_WzA2Mj',
        acr: 'urn:tessera:acr:mfa',
        amr: ['pwd', 'otp'],
        sid: 'sid-1',
        accessToken: 'tsr_at_access',
        code: 'tsr_ac_code',
        state: 'af0ifjsldkj',
        alg: 'PS256',
      }),
    );

    expect(claims).toEqual({
      iss: ISSUER,
      sub: 'user-1',
      aud: CLIENT,
      exp: NOW + 300,
      iat: NOW,
      azp: CLIENT,
      auth_time: NOW - 60,
      nonce: 'n-0S6_WzA2Mj',
      acr: 'urn:tessera:acr:mfa',
      amr: ['pwd', 'otp'],
      sid: 'sid-1',
      at_hash: leftHalfHash('tsr_at_access', 'PS256'),
      c_hash: leftHalfHash('tsr_ac_code', 'PS256'),
      s_hash: leftHalfHash('af0ifjsldkj', 'PS256'),
    });
  });

  it('hashes with the alg it is told: SHA-512 for EdDSA, SHA-256 otherwise', () => {
    expect(buildIdTokenClaims(input({ alg: 'EdDSA', code: 'c' })).c_hash).toHaveLength(43);
    expect(buildIdTokenClaims(input({ alg: 'RS256', code: 'c' })).c_hash).toHaveLength(22);
  });

  it('omits the members it was not given, and an empty amr', () => {
    const claims = buildIdTokenClaims(
      input({ amr: [], nonce: undefined, extraClaims: { email: undefined } }),
    );

    for (const name of [
      'azp',
      'auth_time',
      'nonce',
      'acr',
      'amr',
      'sid',
      'at_hash',
      'c_hash',
      's_hash',
      'email',
    ]) {
      expect(claims).not.toHaveProperty(name);
    }
  });

  it('adds the released user claims', () => {
    expect(
      buildIdTokenClaims(
        input({ extraClaims: { email: 'a@example.com', email_verified: true, address: { country: 'FR' } } }),
      ),
    ).toMatchObject({
      sub: 'user-1',
      email: 'a@example.com',
      email_verified: true,
      address: { country: 'FR' },
    });
  });

  it.each([
    'iss',
    'sub',
    'aud',
    'exp',
    'iat',
    'nbf',
    'jti',
    'nonce',
    'auth_time',
    'acr',
    'amr',
    'azp',
    'sid',
    'at_hash',
    'c_hash',
    's_hash',
    'events',
  ])('drops an extra claim named %s instead of letting it override', (name) => {
    const plain = buildIdTokenClaims(input({ nonce: 'n', accessToken: 'at' }));
    const withExtra = buildIdTokenClaims(
      input({ nonce: 'n', accessToken: 'at', extraClaims: { [name]: 'attacker', email: 'a@example.com' } }),
    );

    expect(withExtra).toEqual({ ...plain, email: 'a@example.com' });
  });

  it('never lets any extra claim override or add a registered claim (property)', () => {
    const registered = fc.constantFrom(
      'iss',
      'sub',
      'aud',
      'exp',
      'iat',
      'nbf',
      'nonce',
      'at_hash',
      'c_hash',
      'sid',
      'azp',
      'acr',
      'amr',
      'auth_time',
      'events',
    );
    const extraClaims = fc.dictionary(fc.oneof(registered, fc.string()), fc.jsonValue());
    const optional = fc.record(
      {
        nonce: fc.string({ minLength: 1 }),
        sid: fc.string({ minLength: 1 }),
        accessToken: fc.string({ minLength: 1 }),
        authTime: fc.nat(),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(optional, extraClaims, (opts, extras) => {
        const plain = buildIdTokenClaims(input(opts));
        const built = buildIdTokenClaims(input({ ...opts, extraClaims: extras }));

        for (const [name, value] of Object.entries(plain)) expect(built[name]).toEqual(value);
        for (const name of Object.keys(built)) {
          if (!(name in plain)) expect(Object.keys(extras)).toContain(name);
        }
        for (const name of ['nbf', 'jti', 'events']) expect(Object.keys(built)).not.toContain(name);
      }),
    );
  });

  it('keeps an extra claim named __proto__ as a plain claim', () => {
    const claims = buildIdTokenClaims(input({ extraClaims: JSON.parse('{"__proto__": {"sub": "x"}}') }));

    expect(claims.sub).toBe('user-1');
    expect(JSON.parse(JSON.stringify(claims))).toMatchObject({ sub: 'user-1' });
    expect(Object.getPrototypeOf(claims)).toBe(Object.prototype);
  });

  it.each<[string, Partial<IdTokenClaimsInput>]>([
    ['an empty issuer', { issuer: '' }],
    ['an empty sub', { sub: '' }],
    ['a sub longer than 255 characters', { sub: 'x'.repeat(256) }],
    ['an empty audience', { audience: '' }],
    ['a fractional issuedAt', { issuedAt: NOW + 0.5 }],
    ['a zero expiresIn', { expiresIn: 0 }],
    ['a negative authTime', { authTime: -1 }],
    ['an empty nonce', { nonce: '' }],
    ['an amr that is not a list of strings', { amr: ['pwd', ''] }],
    ['an empty access token', { accessToken: '' }],
    ['an alg Tessera does not sign with', { alg: 'HS256' as SigningAlg }],
  ])('refuses %s', (_name, overrides) => {
    expect(() => buildIdTokenClaims(input(overrides))).toThrow(TypeError);
  });
});

describe.each(SIGNING_ALGS)('ID tokens signed with %s', (alg) => {
  it('have no typ header, verify with our JWKS, and carry hashes a relying party recomputes', async () => {
    const claims = buildIdTokenClaims(input({ alg, nonce: 'n', accessToken: 'tsr_at_x', code: 'tsr_ac_y' }));
    const token = issueIdToken(signers[alg], claims);

    expect(decodeProtectedHeader(token)).toEqual({ alg, kid: keys[alg].kid });
    const { payload } = await jwtVerify(token, createLocalJWKSet(buildJwks([keys[alg]])), {
      issuer: ISSUER,
      audience: CLIENT,
      currentDate: at(NOW + 1),
    });
    expect(payload).toEqual(claims);
    expect(payload['at_hash']).toBe(leftHalfHash('tsr_at_x', alg));
  });
});

async function rejection(promise: Promise<unknown>): Promise<IdTokenHintError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(IdTokenHintError);
  return err as IdTokenHintError;
}

async function expectRejected(jwt: string, reason: IdTokenHintRejection): Promise<void> {
  const err = await rejection(
    verifyIdTokenHint(jwt, { issuer: ISSUER, keys: ourKeys, currentDate: at(NOW) }),
  );
  expect(err.reason).toBe(reason);
  expect(err.code).toBe('invalid_request');
  if (jwt.length > 16) expect(err.message).not.toContain(jwt);
}

describe('verifyIdTokenHint', () => {
  const verify = (jwt: string, when = NOW) =>
    verifyIdTokenHint(jwt, { issuer: ISSUER, keys: ourKeys, currentDate: at(when) });

  it('returns sub, aud as a list, sid and the claims of one of our ID tokens', async () => {
    const claims = buildIdTokenClaims(input({ sid: 'sid-1', nonce: 'n' }));

    await expect(verify(issueIdToken(signers.ES256, claims))).resolves.toEqual({
      sub: 'user-1',
      aud: [CLIENT],
      sid: 'sid-1',
      claims,
    });
  });

  it.each(SIGNING_ALGS)('accepts a hint signed with our %s key', async (alg) => {
    const token = issueIdToken(signers[alg], buildIdTokenClaims(input({ alg })));

    await expect(verify(token)).resolves.toMatchObject({ sub: 'user-1', aud: [CLIENT] });
  });

  it('accepts an expired hint (OIDC Core §3.1.2.1: it need not be valid)', async () => {
    const token = issueIdToken(signers.ES256, buildIdTokenClaims(input({ issuedAt: NOW - 86_400 * 30 })));

    await expect(verify(token)).resolves.toMatchObject({ sub: 'user-1' });
  });

  it('omits sid when the token has none, and keeps several audiences', async () => {
    const token = signers.ES256.sign({
      iss: ISSUER,
      sub: 'u',
      aud: [CLIENT, 'other'],
      iat: NOW,
      exp: NOW + 1,
    });
    const result = await verify(token);

    expect(result.aud).toEqual([CLIENT, 'other']);
    expect(result).not.toHaveProperty('sid');
  });

  it('accepts a hint with typ JWT', async () => {
    const token = signers.ES256.sign(buildIdTokenClaims(input()), { typ: 'JWT' });

    await expect(verify(token)).resolves.toMatchObject({ sub: 'user-1' });
  });

  it('accepts a private JWK in keys without trusting its private half', async () => {
    const token = issueIdToken(signers.ES256, buildIdTokenClaims(input()));

    await expect(
      verifyIdTokenHint(token, { issuer: ISSUER, keys: [keys.ES256.privateJwk], currentDate: at(NOW) }),
    ).resolves.toMatchObject({ sub: 'user-1' });
  });

  it("refuses another issuer's token signed with our key", async () => {
    await expectRejected(
      issueIdToken(signers.ES256, buildIdTokenClaims(input({ issuer: 'https://evil.example' }))),
      'wrong_issuer',
    );
  });

  it('refuses a token signed with a key that is not ours', async () => {
    await expectRejected(
      issueIdToken(new JwsSigner(strangerKey.privateJwk), buildIdTokenClaims(input())),
      'unknown_key',
    );
  });

  it('refuses a token signed with a stranger key that claims our kid', async () => {
    const forger = new JwsSigner({ ...strangerKey.privateJwk, kid: keys.ES256.kid });

    await expectRejected(issueIdToken(forger, buildIdTokenClaims(input())), 'invalid_signature');
  });

  it('refuses a tampered payload', async () => {
    const [header, , signature] = issueIdToken(signers.ES256, buildIdTokenClaims(input())).split('.');
    const forged = Buffer.from(JSON.stringify(buildIdTokenClaims(input({ sub: 'admin' })))).toString(
      'base64url',
    );

    await expectRejected(`${header}.${forged}.${signature}`, 'invalid_signature');
  });

  it('refuses alg none', async () => {
    await expectRejected(new UnsecuredJWT(buildIdTokenClaims(input())).encode(), 'unsigned');
  });

  it('refuses a JWE', async () => {
    const { publicKey } = await generateKeyPair('ECDH-ES');
    const jwe = await new CompactEncrypt(new TextEncoder().encode('{}'))
      .setProtectedHeader({ alg: 'ECDH-ES', enc: 'A128GCM' })
      .encrypt(publicKey);

    await expectRejected(jwe, 'encrypted');
  });

  it('refuses an HMAC-signed token', async () => {
    const hs = await new SignJWT(buildIdTokenClaims(input()))
      .setProtectedHeader({ alg: 'HS256', kid: keys.ES256.kid })
      .sign(new TextEncoder().encode('a-shared-secret-of-32-bytes-long!'));

    await expectRejected(hs, 'algorithm_not_allowed');
  });

  it('refuses one of our JWT access tokens (typ at+jwt)', async () => {
    const accessToken = issueJwtAccessToken(
      signers.ES256,
      buildAccessTokenClaims({
        issuer: ISSUER,
        subject: 'user-1',
        clientId: CLIENT,
        audience: CLIENT,
        ttlSeconds: 60,
        now: NOW,
      }),
    );

    await expectRejected(accessToken, 'wrong_type');
  });

  it.each([
    ['no sub', { iss: ISSUER, aud: CLIENT, iat: NOW }],
    ['no aud', { iss: ISSUER, sub: 'u', iat: NOW }],
    ['an empty aud list', { iss: ISSUER, sub: 'u', aud: [], iat: NOW }],
    ['a sid that is not a string', { iss: ISSUER, sub: 'u', aud: CLIENT, sid: 1 }],
    ['an iat in the future', { iss: ISSUER, sub: 'u', aud: CLIENT, iat: NOW + 61 }],
    ['an nbf in the future', { iss: ISSUER, sub: 'u', aud: CLIENT, nbf: NOW + 61 }],
    ['an exp that is not a number', { iss: ISSUER, sub: 'u', aud: CLIENT, exp: 'soon' }],
  ])('refuses a token with %s', async (_name, payload) => {
    await expectRejected(signers.ES256.sign(payload), 'invalid_claims');
  });

  it('tolerates an iat up to 60 s in the future', async () => {
    const token = signers.ES256.sign({ iss: ISSUER, sub: 'u', aud: CLIENT, iat: NOW + 60 });

    await expect(verify(token)).resolves.toMatchObject({ sub: 'u' });
  });

  it.each([
    ['an empty string', ''],
    ['garbage', 'not-a-jwt'],
    ['a header that is not JSON', 'bm90IGpzb24.e30.c2ln'],
    ['four parts', 'a.b.c.d'],
  ])('refuses %s as malformed', async (_name, jwt) => {
    await expectRejected(jwt, 'malformed');
  });

  it('refuses a signed payload that is not a JSON object', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'ES256', kid: keys.ES256.kid })).toString('base64url');
    const payload = Buffer.from('[1,2]').toString('base64url');
    const signature = createSign('sha256')
      .update(`${header}.${payload}`)
      .sign({
        key: createPrivateKey({ key: keys.ES256.privateJwk as JsonWebKey, format: 'jwk' }),
        dsaEncoding: 'ieee-p1363',
      })
      .toString('base64url');

    await expectRejected(`${header}.${payload}.${signature}`, 'malformed');
  });
});
