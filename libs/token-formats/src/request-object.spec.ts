import * as fc from 'fast-check';
import {
  CompactEncrypt,
  CompactSign,
  SignJWT,
  UnsecuredJWT,
  exportJWK,
  generateKeyPair,
  type CryptoKey,
  type JWK,
  type JWTPayload,
} from 'jose';
import {
  RequestObjectError,
  verifyRequestObject,
  type RequestObjectRejection,
  type VerifyRequestObjectOptions,
} from './request-object';

const ISSUER = 'https://id.example.com';
const CLIENT = 'client-1';
const NOW = 1_750_000_000;
const at = (epochSeconds: number) => new Date(epochSeconds * 1000);

interface ClientKey {
  privateKey: CryptoKey;
  publicJwk: JWK;
}

async function clientKey(alg: string, kid: string | undefined): Promise<ClientKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), ...(kid === undefined ? {} : { kid }), use: 'sig' };
  return { privateKey, publicJwk };
}

let es256: ClientKey;
let rs256: ClientKey;
let ps256: ClientKey;
let eddsa: ClientKey;
let stranger: ClientKey;

beforeAll(async () => {
  [es256, rs256, ps256, eddsa, stranger] = await Promise.all([
    clientKey('ES256', 'client-es256'),
    clientKey('RS256', 'client-rs256'),
    clientKey('PS256', 'client-ps256'),
    clientKey('EdDSA', 'client-eddsa'),
    clientKey('ES256', 'stranger'),
  ]);
});

const PARAMS = {
  response_type: 'code',
  client_id: CLIENT,
  redirect_uri: 'https://client.example.org/cb',
  scope: 'openid profile',
  state: 'af0ifjsldkj',
  nonce: 'n-0S6_WzA2Mj',
};

/** A well-formed request object: the parameters plus iss, aud, iat, nbf, exp. */
const goodClaims = (overrides: JWTPayload = {}): JWTPayload => ({
  ...PARAMS,
  iss: CLIENT,
  aud: ISSUER,
  iat: NOW,
  nbf: NOW,
  exp: NOW + 300,
  jti: 'jti-1',
  ...overrides,
});

async function sign(
  claims: JWTPayload,
  key: ClientKey = es256,
  header: Record<string, unknown> = {},
): Promise<string> {
  const alg = key === eddsa ? 'EdDSA' : key === rs256 ? 'RS256' : key === ps256 ? 'PS256' : 'ES256';
  return new SignJWT(claims)
    .setProtectedHeader({ alg, kid: key.publicJwk.kid, ...header })
    .sign(key.privateKey);
}

const options = (overrides: Partial<VerifyRequestObjectOptions> = {}): VerifyRequestObjectOptions => ({
  clientId: CLIENT,
  issuer: ISSUER,
  clientKeys: [es256.publicJwk, rs256.publicJwk, ps256.publicJwk, eddsa.publicJwk],
  allowedAlgs: ['ES256', 'RS256', 'PS256', 'EdDSA'],
  currentDate: at(NOW + 1),
  ...overrides,
});

async function rejection(jwt: string, overrides: Partial<VerifyRequestObjectOptions> = {}) {
  const err = await verifyRequestObject(jwt, options(overrides)).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(RequestObjectError);
  const error = err as RequestObjectError;
  expect(error.code).toBe('invalid_request_object');
  if (jwt.length > 16) expect(error.message).not.toContain(jwt.slice(0, 40));
  return error;
}

async function expectRejected(
  jwt: string,
  reason: RequestObjectRejection,
  overrides: Partial<VerifyRequestObjectOptions> = {},
): Promise<RequestObjectError> {
  const err = await rejection(jwt, overrides);
  expect(err.reason).toBe(reason);
  return err;
}

describe('verifyRequestObject: what it accepts', () => {
  it('returns the payload of a request object signed with a registered key', async () => {
    const claims = goodClaims();

    await expect(verifyRequestObject(await sign(claims), options())).resolves.toEqual(claims);
  });

  it.each([
    ['RS256', () => rs256],
    ['PS256', () => ps256],
    ['EdDSA', () => eddsa],
  ])('accepts %s from the allowed algorithms', async (_alg, key) => {
    await expect(verifyRequestObject(await sign(goodClaims(), key()), options())).resolves.toMatchObject(
      PARAMS,
    );
  });

  it('accepts an object without iss, aud, client_id or any time claim (they are checked only when present)', async () => {
    const { client_id: _clientId, ...params } = PARAMS;

    await expect(verifyRequestObject(await sign(params), options())).resolves.toEqual(params);
  });

  it('accepts an aud list that contains the issuer', async () => {
    const jwt = await sign(goodClaims({ aud: ['https://other.example', ISSUER] }));

    await expect(verifyRequestObject(jwt, options())).resolves.toMatchObject(PARAMS);
  });

  it.each(['oauth-authz-req+jwt', 'JWT', 'application/oauth-authz-req+jwt'])(
    'accepts typ %s',
    async (typ) => {
      await expect(
        verifyRequestObject(await sign(goodClaims(), es256, { typ }), options()),
      ).resolves.toMatchObject(PARAMS);
    },
  );

  it('finds the right key among several kid-less keys of one type', async () => {
    const [first, second] = await Promise.all([clientKey('ES256', undefined), clientKey('ES256', undefined)]);
    const jwt = await new SignJWT(goodClaims()).setProtectedHeader({ alg: 'ES256' }).sign(second.privateKey);

    await expect(
      verifyRequestObject(jwt, options({ clientKeys: [first.publicJwk, second.publicJwk] })),
    ).resolves.toMatchObject(PARAMS);
    await expectRejected(
      await new SignJWT(goodClaims()).setProtectedHeader({ alg: 'ES256' }).sign(stranger.privateKey),
      'invalid_signature',
      { clientKeys: [first.publicJwk, second.publicJwk] },
    );
  });

  it('allows 60 s of clock skew on exp, nbf and iat', async () => {
    const jwt = await sign(goodClaims({ iat: NOW + 60, nbf: NOW + 60, exp: NOW - 59 }));

    await expect(verifyRequestObject(jwt, options({ currentDate: at(NOW) }))).resolves.toMatchObject(PARAMS);
  });
});

describe('verifyRequestObject: what it refuses', () => {
  it('refuses a key that is not registered', async () => {
    await expectRejected(await sign(goodClaims(), stranger), 'unknown_key');
  });

  it('refuses a stranger key that claims a registered kid', async () => {
    await expectRejected(
      await sign(goodClaims(), stranger, { kid: es256.publicJwk.kid }),
      'invalid_signature',
    );
  });

  it('refuses a tampered payload', async () => {
    const [header, , signature] = (await sign(goodClaims())).split('.');
    const forged = Buffer.from(JSON.stringify(goodClaims({ scope: 'openid admin:all' }))).toString(
      'base64url',
    );

    await expectRejected(`${header}.${forged}.${signature}`, 'invalid_signature');
  });

  it('refuses any single-character change to the payload (property)', async () => {
    const jwt = await sign(goodClaims());
    const [header, payload, signature] = jwt.split('.');
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    await fc.assert(
      fc.asyncProperty(
        fc.nat(payload.length - 1),
        fc.constantFrom(...alphabet.split('')),
        async (index, char) => {
          fc.pre(payload[index] !== char);
          const changed = payload.slice(0, index) + char + payload.slice(index + 1);
          await expect(
            verifyRequestObject(`${header}.${changed}.${signature}`, options()),
          ).rejects.toBeInstanceOf(RequestObjectError);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('refuses alg none', async () => {
    const err = await expectRejected(new UnsecuredJWT(goodClaims()).encode(), 'unsigned');

    expect(err.message).toMatch(/must be signed/);
  });

  it('refuses alg none even when allowedAlgs lists it', async () => {
    await expectRejected(new UnsecuredJWT(goodClaims()).encode(), 'unsigned', {
      allowedAlgs: ['none', 'ES256'],
    });
  });

  it('refuses a signed header with the signature stripped', async () => {
    const [header, payload] = (await sign(goodClaims())).split('.');

    await expectRejected(`${header}.${payload}.`, 'unsigned');
  });

  it('refuses a JWE, saying encrypted request objects are not supported', async () => {
    const { publicKey } = await generateKeyPair('RSA-OAEP-256');
    const jwe = await new CompactEncrypt(new TextEncoder().encode(await sign(goodClaims())))
      .setProtectedHeader({ alg: 'RSA-OAEP-256', enc: 'A256GCM', cty: 'JWT' })
      .encrypt(publicKey);
    const err = await expectRejected(jwe, 'encrypted');

    expect(err.message).toBe('Encrypted request objects are not supported');
  });

  it('refuses HS256 signed with the client secret, even when allowedAlgs lists it: secrets are stored hashed', async () => {
    const secret = new TextEncoder().encode('tsr_cs_a-client-secret-of-enough-length');
    const jwt = await new SignJWT(goodClaims()).setProtectedHeader({ alg: 'HS256' }).sign(secret);
    const err = await expectRejected(jwt, 'symmetric_alg', { allowedAlgs: ['HS256', 'ES256'] });

    expect(err.message).toMatch(/HS256.*stored hashed/);
  });

  it('refuses an algorithm outside allowedAlgs, naming the allowed ones', async () => {
    const err = await expectRejected(await sign(goodClaims(), rs256), 'algorithm_not_allowed', {
      allowedAlgs: ['ES256', 'PS256'],
    });

    expect(err.message).toBe('Request objects must be signed with ES256 or PS256, not RS256');
  });

  it('refuses every object when allowedAlgs holds only none and HMAC', async () => {
    await expectRejected(await sign(goodClaims()), 'algorithm_not_allowed', {
      allowedAlgs: ['none', 'HS256'],
    });
  });

  it('refuses a JWT of another explicit type', async () => {
    await expectRejected(await sign(goodClaims(), es256, { typ: 'dpop+jwt' }), 'wrong_type');
  });

  it.each<[string, JWTPayload, RequestObjectRejection]>([
    ['an iss other than the client', { iss: 'client-2' }, 'wrong_issuer'],
    ['an aud other than the issuer', { aud: 'https://other.example' }, 'wrong_audience'],
    ['an aud list without the issuer', { aud: ['https://other.example'] }, 'wrong_audience'],
    ['a client_id other than the request one', { client_id: 'client-2' }, 'client_id_mismatch'],
    ['an expired exp', { exp: NOW - 60 }, 'expired'],
    ['an nbf more than 60 s ahead', { nbf: NOW + 62 }, 'not_yet_valid'],
    ['an iat more than 60 s ahead', { iat: NOW + 62 }, 'issued_in_future'],
    ['a nested request', { request: 'eyJ...' }, 'nested_request'],
    ['a nested request_uri', { request_uri: 'https://client.example.org/ro' }, 'nested_request'],
    ['an exp that is not a number', { exp: 'tomorrow' as unknown as number }, 'invalid_claims'],
  ])('refuses %s', async (_name, overrides, reason) => {
    await expectRejected(await sign(goodClaims(overrides)), reason);
  });

  it('refuses when the client has no registered keys', async () => {
    await expectRejected(await sign(goodClaims()), 'unknown_key', { clientKeys: [] });
  });

  it('refuses to verify with a key the client registered with its private half', async () => {
    const privateJwk = { ...(await exportJWK(es256.privateKey)), kid: es256.publicJwk.kid };

    await expectRejected(await sign(goodClaims()), 'unknown_key', { clientKeys: [privateJwk] });
  });

  it.each([
    ['an empty string', ''],
    ['garbage', 'not-a-request-object'],
    ['four parts', 'a.b.c.d'],
    ['a header that is not JSON', 'bm90IGpzb24.e30.c2ln'],
  ])('refuses %s as malformed', async (_name, jwt) => {
    await expectRejected(jwt, 'malformed');
  });

  it('refuses a signed payload that is not a JSON object', async () => {
    const jws = await new CompactSign(new TextEncoder().encode('["response_type","code"]'))
      .setProtectedHeader({ alg: 'ES256', kid: es256.publicJwk.kid })
      .sign(es256.privateKey);

    await expectRejected(jws, 'malformed');
  });
});

describe('verifyRequestObject with maxLifetimeSeconds (FAPI)', () => {
  const fapi = { maxLifetimeSeconds: 3600 };

  it('accepts exp exactly the maximum after nbf', async () => {
    const jwt = await sign(goodClaims({ nbf: NOW, exp: NOW + 3600 }));

    await expect(verifyRequestObject(jwt, options(fapi))).resolves.toMatchObject(PARAMS);
  });

  it('refuses exp further than the maximum after nbf', async () => {
    await expectRejected(await sign(goodClaims({ nbf: NOW, exp: NOW + 3601 })), 'lifetime_too_long', fapi);
  });

  it('falls back to iat when there is no nbf', async () => {
    const { nbf: _nbf, ...claims } = goodClaims({ iat: NOW, exp: NOW + 3601 });

    await expectRejected(await sign(claims), 'lifetime_too_long', fapi);
  });

  it('requires exp, and nbf or iat', async () => {
    const { exp: _exp, ...noExp } = goodClaims();
    const { nbf: _nbf, iat: _iat, ...noStart } = goodClaims();

    await expectRejected(await sign(noExp), 'invalid_claims', fapi);
    await expectRejected(await sign(noStart), 'invalid_claims', fapi);
  });
});
