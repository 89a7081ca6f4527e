import { createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet } from 'jose';
import { JwsSigner } from './jws-signer';
import { buildJwks } from './jwks';
import {
  AccessTokenVerificationError,
  buildAccessTokenClaims,
  issueJwtAccessToken,
  verifyJwtAccessToken,
  type AccessTokenClaimsInput,
  type AccessTokenRejection,
} from './jwt-access-token';
import { generateSigningKey, SIGNING_ALGS, type SigningAlg, type SigningKey } from './signing-key';

const ISSUER = 'https://id.example.com';
const API = 'https://api.example.com';
const NOW = 1_750_000_000;
const at = (epochSeconds: number) => new Date(epochSeconds * 1000);

const input = (overrides: Partial<AccessTokenClaimsInput> = {}): AccessTokenClaimsInput => ({
  issuer: ISSUER,
  subject: 'user-1',
  clientId: 'client-1',
  audience: API,
  scope: 'openid api:read',
  ttlSeconds: 300,
  now: NOW,
  jti: 'jti-1',
  ...overrides,
});

const keys = {} as Record<SigningAlg, SigningKey>;
const signers = {} as Record<SigningAlg, JwsSigner>;
let jwks: JSONWebKeySet;

beforeAll(async () => {
  for (const alg of SIGNING_ALGS) {
    keys[alg] = await generateSigningKey(alg);
    signers[alg] = new JwsSigner(keys[alg].privateJwk);
  }
  jwks = buildJwks(SIGNING_ALGS.map((alg) => keys[alg]));
});

async function rejection(promise: Promise<unknown>): Promise<AccessTokenVerificationError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AccessTokenVerificationError);
  return err as AccessTokenVerificationError;
}

async function expectRejected(promise: Promise<unknown>, reason: AccessTokenRejection): Promise<void> {
  const err = await rejection(promise);
  expect(err.reason).toBe(reason);
  expect(err.code).toBe('invalid_token');
}

describe('buildAccessTokenClaims', () => {
  it('builds the RFC 9068 claim set', () => {
    expect(buildAccessTokenClaims(input())).toEqual({
      iss: ISSUER,
      sub: 'user-1',
      aud: API,
      exp: NOW + 300,
      iat: NOW,
      jti: 'jti-1',
      client_id: 'client-1',
      scope: 'openid api:read',
    });
  });

  it('writes aud as a string for one audience and as an array for several', () => {
    expect(buildAccessTokenClaims(input({ audience: [API] })).aud).toBe(API);
    expect(buildAccessTokenClaims(input({ audience: [API, API] })).aud).toBe(API);
    expect(buildAccessTokenClaims(input({ audience: [API, 'https://other.example'] })).aud).toEqual([
      API,
      'https://other.example',
    ]);
  });

  it.each([undefined, '', '   '])('omits scope when it is %p', (scope) => {
    expect(buildAccessTokenClaims(input({ scope }))).not.toHaveProperty('scope');
  });

  it('normalises the spaces in scope', () => {
    expect(buildAccessTokenClaims(input({ scope: ' openid  api:read ' })).scope).toBe('openid api:read');
  });

  it('draws a fresh random jti when none is given', () => {
    const a = buildAccessTokenClaims(input({ jti: undefined })).jti;
    const b = buildAccessTokenClaims(input({ jti: undefined })).jti;

    expect(a).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(a).not.toBe(b);
  });

  it('adds extra claims but never lets them replace a registered one', () => {
    expect(buildAccessTokenClaims(input({ extra: { acr: '1', auth_time: NOW - 5 } }))).toMatchObject({
      acr: '1',
      auth_time: NOW - 5,
      sub: 'user-1',
    });
    for (const claim of ['sub', 'aud', 'exp', 'client_id', 'scope', 'nbf']) {
      expect(() => buildAccessTokenClaims(input({ extra: { [claim]: 'x' } }))).toThrow(TypeError);
    }
  });

  it.each<[string, Partial<AccessTokenClaimsInput>]>([
    ['an empty issuer', { issuer: '' }],
    ['an empty subject', { subject: '' }],
    ['an empty client id', { clientId: '' }],
    ['no audience', { audience: [] }],
    ['an empty audience', { audience: '' }],
    ['a zero ttl', { ttlSeconds: 0 }],
    ['a fractional ttl', { ttlSeconds: 1.5 }],
    ['now in milliseconds as a float', { now: Date.now() + 0.5 }],
    ['an empty jti', { jti: '' }],
  ])('refuses %s', (_name, overrides) => {
    expect(() => buildAccessTokenClaims(input(overrides))).toThrow(TypeError);
  });
});

describe.each(SIGNING_ALGS)('JWT access tokens signed with %s', (alg) => {
  it('are typed at+jwt and verify back to their claims', async () => {
    const claims = buildAccessTokenClaims(input());
    const token = issueJwtAccessToken(signers[alg], claims);

    expect(decodeProtectedHeader(token)).toEqual({ alg, kid: keys[alg].kid, typ: 'at+jwt' });
    await expect(
      verifyJwtAccessToken(token, { issuer: ISSUER, jwks, audience: API, currentDate: at(NOW + 1) }),
    ).resolves.toEqual(claims);
  });
});

describe('verifyJwtAccessToken', () => {
  const signer = () => signers.ES256;
  const verifyAt = (token: string, when = NOW + 1, audience: string | string[] = API) =>
    verifyJwtAccessToken(token, { issuer: ISSUER, jwks, audience, currentDate: at(when) });

  it('accepts one of several audiences, and a key resolver in place of a JWKS', async () => {
    const claims = buildAccessTokenClaims(input({ audience: [API, 'https://other.example'] }));
    const token = issueJwtAccessToken(signer(), claims);

    await expect(
      verifyJwtAccessToken(token, {
        issuer: ISSUER,
        jwks: createLocalJWKSet(jwks),
        audience: 'https://other.example',
        currentDate: at(NOW),
      }),
    ).resolves.toEqual(claims);
  });

  it('accepts the media-type form application/at+jwt (RFC 9068 §4)', async () => {
    const token = signer().sign(buildAccessTokenClaims(input()), { typ: 'application/at+jwt' });

    await expect(verifyAt(token)).resolves.toMatchObject({ sub: 'user-1' });
  });

  it('rejects a JWT with typ JWT (an ID token, say)', async () => {
    const token = signer().sign(buildAccessTokenClaims(input()), { typ: 'JWT' });

    await expectRejected(verifyAt(token), 'wrong_type');
  });

  it('rejects a JWT with no typ', async () => {
    const token = signer().sign(buildAccessTokenClaims(input()));

    await expectRejected(verifyAt(token), 'wrong_type');
  });

  it('rejects an expired token, and accepts it within the clock tolerance', async () => {
    const token = issueJwtAccessToken(signer(), buildAccessTokenClaims(input({ ttlSeconds: 60 })));

    await expectRejected(verifyAt(token, NOW + 60), 'expired');
    await expect(
      verifyJwtAccessToken(token, {
        issuer: ISSUER,
        jwks,
        audience: API,
        currentDate: at(NOW + 60),
        clockTolerance: 5,
      }),
    ).resolves.toMatchObject({ exp: NOW + 60 });
  });

  it('rejects a token from another issuer', async () => {
    const token = issueJwtAccessToken(
      signer(),
      buildAccessTokenClaims(input({ issuer: 'https://evil.example' })),
    );

    await expectRejected(verifyAt(token), 'wrong_issuer');
  });

  it('rejects a token for another audience', async () => {
    const token = issueJwtAccessToken(
      signer(),
      buildAccessTokenClaims(input({ audience: 'https://other.example' })),
    );

    await expectRejected(verifyAt(token), 'wrong_audience');
  });

  it('rejects a token signed by a key that is not in the JWKS', async () => {
    const stranger = new JwsSigner((await generateSigningKey('ES256')).privateJwk);
    const token = issueJwtAccessToken(stranger, buildAccessTokenClaims(input()));

    await expectRejected(verifyAt(token), 'unknown_key');
  });

  it('rejects a token whose kid names a JWKS key but whose signature is not by it', async () => {
    const stranger = await generateSigningKey('ES256');
    const impostor = new JwsSigner({ ...stranger.privateJwk, kid: keys.ES256.kid });
    const token = issueJwtAccessToken(impostor, buildAccessTokenClaims(input()));

    await expectRejected(verifyAt(token), 'invalid_signature');
  });

  it('rejects an algorithm the caller did not allow', async () => {
    const token = issueJwtAccessToken(signers.RS256, buildAccessTokenClaims(input()));

    await expectRejected(
      verifyJwtAccessToken(token, { issuer: ISSUER, jwks, algorithms: ['ES256'], currentDate: at(NOW) }),
      'algorithm_not_allowed',
    );
  });

  it('rejects an unsecured token (alg none)', async () => {
    const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const token = `${encode({ alg: 'none', typ: 'at+jwt' })}.${encode(buildAccessTokenClaims(input()))}.`;

    await expectRejected(verifyAt(token), 'algorithm_not_allowed');
  });

  it.each(['client_id', 'jti', 'sub', 'iat'])('rejects a token without %s', async (claim) => {
    const claims: Record<string, unknown> = { ...buildAccessTokenClaims(input()) };
    delete claims[claim];
    const token = signer().sign(claims, { typ: 'at+jwt' });

    await expectRejected(verifyAt(token), 'invalid_claims');
  });

  it('rejects a token whose client_id is not a string', async () => {
    const token = signer().sign({ ...buildAccessTokenClaims(input()), client_id: 42 }, { typ: 'at+jwt' });

    await expectRejected(verifyAt(token), 'invalid_claims');
  });

  it.each(['', 'not-a-jwt', 'a.b.c', 'a.b'])('rejects the malformed token %p', async (token) => {
    await expectRejected(verifyAt(token), 'malformed');
  });

  it('rejects a tampered payload', async () => {
    const token = issueJwtAccessToken(signer(), buildAccessTokenClaims(input()));
    const [header, , signature] = token.split('.');
    const forged = Buffer.from(JSON.stringify(buildAccessTokenClaims(input({ subject: 'admin' })))).toString(
      'base64url',
    );

    await expectRejected(verifyAt(`${header}.${forged}.${signature}`), 'invalid_signature');
  });

  it('keeps the token out of the error message', async () => {
    const token = signer().sign(buildAccessTokenClaims(input()), { typ: 'JWT' });

    const err = await rejection(verifyAt(token));
    expect(err.message).not.toContain(token.split('.')[1]);
  });

  it('refuses an empty or unknown algorithm list', async () => {
    const token = issueJwtAccessToken(signer(), buildAccessTokenClaims(input()));

    await expect(verifyJwtAccessToken(token, { issuer: ISSUER, jwks, algorithms: [] })).rejects.toThrow(
      TypeError,
    );
    await expect(
      verifyJwtAccessToken(token, { issuer: ISSUER, jwks, algorithms: ['HS256' as SigningAlg] }),
    ).rejects.toThrow(TypeError);
  });
});
