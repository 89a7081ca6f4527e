import { randomBytes } from 'node:crypto';
import {
  createLocalJWKSet,
  errors,
  jwtVerify,
  type JSONWebKeySet,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import type { JwsSigner } from './jws-signer';
import { SIGNING_ALGS, type SigningAlg } from './signing-key';

/** RFC 9068 §2.1: the `typ` header of a JWT access token. */
export const AT_JWT_TYP = 'at+jwt';

/** The claims RFC 9068 §2.2 requires in every JWT access token. */
const REQUIRED_CLAIMS = ['iss', 'sub', 'aud', 'exp', 'iat', 'jti', 'client_id'] as const;

/** Claim names the builder owns; `extra` may not set them. */
const RESERVED_CLAIMS: ReadonlySet<string> = new Set([...REQUIRED_CLAIMS, 'nbf', 'scope']);

export interface JwtAccessTokenClaims extends JWTPayload {
  iss: string;
  sub: string;
  /** A string when the token has one audience, an array otherwise. */
  aud: string | string[];
  exp: number;
  iat: number;
  jti: string;
  client_id: string;
  /** Space-delimited; absent when no scope was granted. */
  scope?: string;
}

export interface AccessTokenClaimsInput {
  readonly issuer: string;
  readonly subject: string;
  readonly clientId: string;
  /** The resource server(s) the token is for (RFC 8707 `resource`, or the client's default). */
  readonly audience: string | readonly string[];
  /** Space-delimited granted scope. */
  readonly scope?: string;
  readonly ttlSeconds: number;
  /** Issue time in epoch seconds (pass the clock's value so tests control it). */
  readonly now: number;
  /** Defaults to 128 random bits, base64url. */
  readonly jti?: string;
  /** Further claims (`auth_time`, `acr`, `amr`, `sid`, …). May not overwrite the registered ones. */
  readonly extra?: Readonly<Record<string, unknown>>;
}

/** The RFC 9068 claim set for one access token. Throws TypeError on input that would produce a bad token. */
export function buildAccessTokenClaims(input: AccessTokenClaimsInput): JwtAccessTokenClaims {
  const { issuer, subject, clientId, ttlSeconds, now } = input;
  for (const [name, value] of [
    ['issuer', issuer],
    ['subject', subject],
    ['clientId', clientId],
  ] as const) {
    if (typeof value !== 'string' || value === '') throw new TypeError(`${name} must be a non-empty string`);
  }
  if (!Number.isSafeInteger(now) || now < 0) {
    throw new TypeError('now must be a whole number of epoch seconds');
  }
  if (!Number.isSafeInteger(ttlSeconds) || ttlSeconds <= 0) {
    throw new TypeError('ttlSeconds must be a positive integer');
  }

  const audiences = [...new Set(typeof input.audience === 'string' ? [input.audience] : input.audience)];
  if (audiences.length === 0 || audiences.some((a) => typeof a !== 'string' || a === '')) {
    throw new TypeError('audience must name at least one resource server');
  }

  const extra = input.extra ?? {};
  const clash = Object.keys(extra).find((name) => RESERVED_CLAIMS.has(name));
  if (clash !== undefined) throw new TypeError(`extra may not set the registered claim "${clash}"`);

  const jti = input.jti ?? randomBytes(16).toString('base64url');
  if (jti === '') throw new TypeError('jti must be a non-empty string');
  const scope = (input.scope ?? '').split(' ').filter(Boolean).join(' ');

  return {
    ...extra,
    iss: issuer,
    sub: subject,
    aud: audiences.length === 1 ? audiences[0] : audiences,
    exp: now + ttlSeconds,
    iat: now,
    jti,
    client_id: clientId,
    ...(scope === '' ? {} : { scope }),
  };
}

/** Signs the claims as a JWT access token (`typ: at+jwt`). */
export function issueJwtAccessToken(signer: JwsSigner, claims: JwtAccessTokenClaims): string {
  return signer.sign(claims, { typ: AT_JWT_TYP });
}

export type AccessTokenRejection =
  | 'malformed'
  | 'wrong_type'
  | 'algorithm_not_allowed'
  | 'unknown_key'
  | 'invalid_signature'
  | 'expired'
  | 'wrong_issuer'
  | 'wrong_audience'
  | 'invalid_claims';

/**
 * A JWT access token that must not be accepted. `reason` is for logs and tests; the message is
 * safe to show a developer (it never echoes the token). Resource servers map it to
 * `invalid_token` (RFC 6750 §3.1).
 */
export class AccessTokenVerificationError extends Error {
  override readonly name = 'AccessTokenVerificationError';
  readonly code = 'invalid_token';

  constructor(
    readonly reason: AccessTokenRejection,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface VerifyJwtAccessTokenOptions {
  /** The expected `iss`, exactly. */
  readonly issuer: string;
  /** The issuer's JWKS document, or a key resolver such as jose's `createRemoteJWKSet`. */
  readonly jwks: JSONWebKeySet | JWTVerifyGetKey;
  /** When set, `aud` must contain (one of) these. Resource servers should always set it. */
  readonly audience?: string | readonly string[];
  /** Defaults to every algorithm Tessera signs with; never `none` or HMAC. */
  readonly algorithms?: readonly SigningAlg[];
  /** Seconds of clock skew tolerated for `exp`/`iat`/`nbf`. Defaults to 0. */
  readonly clockTolerance?: number;
  /** Verification time, for tests. Defaults to now. */
  readonly currentDate?: Date;
}

/** Verifies an RFC 9068 JWT access token and returns its claims; throws AccessTokenVerificationError otherwise. */
export async function verifyJwtAccessToken(
  token: string,
  options: VerifyJwtAccessTokenOptions,
): Promise<JwtAccessTokenClaims> {
  const algorithms = [...(options.algorithms ?? SIGNING_ALGS)];
  const unknownAlg = algorithms.find((alg) => !(SIGNING_ALGS as readonly string[]).includes(alg));
  if (algorithms.length === 0 || unknownAlg !== undefined) {
    throw new TypeError(`algorithms must be a non-empty subset of ${SIGNING_ALGS.join(', ')}`);
  }
  const getKey = typeof options.jwks === 'function' ? options.jwks : createLocalJWKSet(options.jwks);

  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, getKey, {
      issuer: options.issuer,
      audience: options.audience === undefined ? undefined : [options.audience].flat(),
      // jose compares typ case-insensitively and accepts the `application/` prefix (RFC 9068 §4).
      typ: AT_JWT_TYP,
      algorithms,
      requiredClaims: [...REQUIRED_CLAIMS],
      clockTolerance: options.clockTolerance ?? 0,
      currentDate: options.currentDate,
    }));
  } catch (err) {
    throw toVerificationError(err);
  }

  // jose checks presence and the types of the registered time/issuer/audience claims; the rest
  // of the RFC 9068 claim set is ours to check.
  for (const name of ['sub', 'jti', 'client_id'] as const) {
    if (typeof payload[name] !== 'string' || payload[name] === '') {
      throw new AccessTokenVerificationError(
        'invalid_claims',
        `The access token's "${name}" claim is not a string`,
      );
    }
  }
  if (payload['scope'] !== undefined && typeof payload['scope'] !== 'string') {
    throw new AccessTokenVerificationError(
      'invalid_claims',
      `The access token's "scope" claim is not a string`,
    );
  }
  return payload as JwtAccessTokenClaims;
}

function toVerificationError(err: unknown): unknown {
  const reject = (reason: AccessTokenRejection, message: string) =>
    new AccessTokenVerificationError(reason, message, { cause: err });

  if (err instanceof errors.JWTExpired) return reject('expired', 'The access token has expired');
  if (err instanceof errors.JWTClaimValidationFailed) {
    switch (err.claim) {
      case 'typ':
        return reject('wrong_type', `The token is not a JWT access token (typ must be ${AT_JWT_TYP})`);
      case 'iss':
        return reject('wrong_issuer', 'The access token was issued by another issuer');
      case 'aud':
        return reject('wrong_audience', 'The access token is not meant for this audience');
      default:
        return reject('invalid_claims', `The access token's "${err.claim}" claim is invalid or missing`);
    }
  }
  if (err instanceof errors.JOSEAlgNotAllowed) {
    return reject(
      'algorithm_not_allowed',
      'The access token is signed with an algorithm that is not allowed',
    );
  }
  if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys) {
    return reject('unknown_key', 'The access token is signed with a key that is not in the JWKS');
  }
  if (err instanceof errors.JWSSignatureVerificationFailed) {
    return reject('invalid_signature', 'The access token signature is invalid');
  }
  if (
    err instanceof errors.JWTInvalid ||
    err instanceof errors.JWSInvalid ||
    err instanceof errors.JOSENotSupported
  ) {
    return reject('malformed', 'The access token is not a well-formed signed JWT');
  }
  // Anything else (a JWKS endpoint timing out, an invalid JWKS document, a bug) is not the
  // token's fault: let the caller see it as a server-side failure.
  return err;
}
