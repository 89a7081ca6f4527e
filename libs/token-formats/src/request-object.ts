import {
  createLocalJWKSet,
  decodeProtectedHeader,
  errors,
  jwtVerify,
  type JWK,
  type JWTPayload,
  type JWTVerifyGetKey,
  type JWTVerifyOptions,
} from 'jose';

/**
 * Seconds of clock skew tolerated between the client that signed a request object and us, for
 * `exp`, `nbf` and `iat`. Clients are other people's machines; a minute is the usual allowance
 * (node-oidc-provider and the FAPI conformance suite work with the same order of magnitude).
 */
const CLOCK_SKEW_SECONDS = 60;

/**
 * `typ` values a request object may carry: none (OIDC Core §6.1 defines no type), `JWT`, or the
 * type RFC 9101 §10.8 registers. Any other explicit type is a JWT made for something else (a DPoP
 * proof, a logout token…) and is refused, per RFC 8725 §3.11.
 */
const ACCEPTED_TYPES: ReadonlySet<string> = new Set(['jwt', 'oauth-authz-req+jwt']);

export type RequestObjectRejection =
  | 'malformed'
  | 'encrypted'
  | 'unsigned'
  | 'symmetric_alg'
  | 'algorithm_not_allowed'
  | 'wrong_type'
  | 'unknown_key'
  | 'invalid_signature'
  | 'wrong_issuer'
  | 'wrong_audience'
  | 'client_id_mismatch'
  | 'expired'
  | 'not_yet_valid'
  | 'issued_in_future'
  | 'lifetime_too_long'
  | 'nested_request'
  | 'invalid_claims';

/**
 * A request object that must not be used. The message is written for the client's developer
 * and never echoes the object; the token service maps this to `invalid_request_object`
 * (RFC 9101 §6.3 / OIDC Core §6.4).
 */
export class RequestObjectError extends Error {
  override readonly name = 'RequestObjectError';
  readonly code = 'invalid_request_object';

  constructor(
    readonly reason: RequestObjectRejection,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface VerifyRequestObjectOptions {
  /** The client_id the request was made with (the authorization request's `client_id`). */
  readonly clientId: string;
  /** Our issuer identifier: an `aud` in the object must name it. */
  readonly issuer: string;
  /** The client's registered public keys, from its `jwks` or a fetched `jwks_uri`. */
  readonly clientKeys: readonly JWK[];
  /**
   * The JWS algorithms to accept: the client's `request_object_signing_alg`, or the server's list.
   * `none` and the HMAC algorithms are never honoured, even when listed (see below).
   */
  readonly allowedAlgs: readonly string[];
  /** Verification time, for tests. Defaults to now. */
  readonly currentDate?: Date;
  /**
   * When set (e.g. 3600 for FAPI 1.0 Advanced §5.2.2-13), the object must carry `exp` and `nbf`
   * (or at least `iat`), and `exp` may be at most this many seconds after it. With `exp` in the
   * future, that also bounds how far in the past `nbf` can be (FAPI §5.2.2-17).
   */
  readonly maxLifetimeSeconds?: number;
}

/**
 * Verifies a request object (RFC 9101, OIDC Core §6.1) and returns its payload: the
 * authorization request parameters, plus whatever JWT claims (`iss`, `aud`, `exp`, `jti`…) the
 * client put there. Replay (`jti`) and the merge with the query parameters are the caller's job.
 *
 * Refused, each with its own `reason`:
 * - anything unsigned (`alg: none`): Tessera requires signed request objects, as RFC 9101 §10.2
 *   and FAPI do;
 * - a JWE: encrypted request objects are not supported (we publish no encryption keys);
 * - HMAC algorithms: verifying HS256 needs the client secret in clear, and Tessera stores client
 *   secrets hashed, so such an object can never be verified; the client must sign with a key
 *   from its registered `jwks`/`jwks_uri` instead;
 * - a signature that does not verify with one of `clientKeys` under one of `allowedAlgs`;
 * - `iss` (if present) other than the client, `aud` (if present) not naming us, `client_id`
 *   (if present) other than the request's (RFC 9101 §4, §5; OIDC Core §6.1);
 * - expired (`exp`), not yet valid (`nbf`), issued in the future (`iat`), 60 s of skew allowed;
 * - a `request` or `request_uri` member inside the object (OIDC Core §6.1: they "MUST NOT be
 *   included").
 */
export async function verifyRequestObject(
  jwt: string,
  options: VerifyRequestObjectOptions,
): Promise<Record<string, unknown>> {
  const { clientId, issuer } = options;
  const reject = (reason: RequestObjectRejection, message: string, cause?: unknown) =>
    new RequestObjectError(reason, message, cause === undefined ? undefined : { cause });

  if (typeof jwt !== 'string' || jwt === '') throw reject('malformed', 'The request object is empty');
  const parts = jwt.split('.');
  if (parts.length === 5) throw reject('encrypted', 'Encrypted request objects are not supported');
  if (parts.length !== 3) throw reject('malformed', 'The request object is not a compact JWS');

  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(jwt);
  } catch (err) {
    throw reject('malformed', 'The request object header is not valid', err);
  }
  const { alg, typ } = header;
  if (alg === undefined || alg === 'none' || parts[2] === '') {
    throw reject('unsigned', 'Request objects must be signed; unsigned ones (alg "none") are refused');
  }
  if (typeof alg !== 'string') throw reject('malformed', 'The request object header has no valid "alg"');
  if (isSymmetric(alg)) {
    throw reject(
      'symmetric_alg',
      `Request objects signed with ${alg} cannot be verified: client secrets are stored hashed. ` +
        'Sign the request object with a key from the registered jwks or jwks_uri.',
    );
  }
  const algorithms = options.allowedAlgs.filter((a) => a !== 'none' && !isSymmetric(a));
  if (!algorithms.includes(alg)) {
    throw reject(
      'algorithm_not_allowed',
      algorithms.length === 0
        ? 'This client may not use request objects (no signing algorithm is allowed)'
        : `Request objects must be signed with ${algorithms.join(' or ')}, not ${alg}`,
    );
  }
  if (typ !== undefined && (typeof typ !== 'string' || !ACCEPTED_TYPES.has(normaliseTyp(typ)))) {
    throw reject('wrong_type', 'The request object has a "typ" header of another kind of JWT');
  }
  if (options.clientKeys.length === 0) {
    throw reject('unknown_key', 'The client has no registered keys to verify request objects with');
  }

  let payload: JWTPayload;
  try {
    const keySet = createLocalJWKSet({ keys: [...options.clientKeys] });
    ({ payload } = await verifyWithAnyKey(jwt, keySet, {
      algorithms,
      clockTolerance: CLOCK_SKEW_SECONDS,
      currentDate: options.currentDate,
    }));
  } catch (err) {
    throw toRejection(err, reject);
  }

  if (payload.iss !== undefined && payload.iss !== clientId) {
    throw reject('wrong_issuer', 'The request object "iss" must be the client_id');
  }
  if (
    payload.aud !== undefined &&
    !(payload.aud === issuer || (Array.isArray(payload.aud) && payload.aud.includes(issuer)))
  ) {
    throw reject('wrong_audience', `The request object "aud" must be the issuer ${issuer}`);
  }
  if (payload['client_id'] !== undefined && payload['client_id'] !== clientId) {
    throw reject(
      'client_id_mismatch',
      'The request object "client_id" does not match the request\'s client_id',
    );
  }
  const now = Math.floor((options.currentDate ?? new Date()).getTime() / 1000);
  if (payload.iat !== undefined && payload.iat > now + CLOCK_SKEW_SECONDS) {
    throw reject('issued_in_future', 'The request object "iat" is in the future');
  }
  if (options.maxLifetimeSeconds !== undefined) checkLifetime(payload, options.maxLifetimeSeconds, reject);
  for (const member of ['request', 'request_uri']) {
    if (member in payload) throw reject('nested_request', `A request object may not contain "${member}"`);
  }
  return payload;
}

/**
 * jose refuses a JWS whose header matches several keys of the set (same type, no `kid`), since
 * it cannot tell which one was meant. Client key sets often have no `kid`s (RFC 7517 makes them
 * optional), so try each candidate in turn, as jose's documentation shows.
 */
async function verifyWithAnyKey(jwt: string, keySet: JWTVerifyGetKey, options: JWTVerifyOptions) {
  try {
    return await jwtVerify(jwt, keySet, options);
  } catch (err) {
    if (!(err instanceof errors.JWKSMultipleMatchingKeys)) throw err;
    for await (const key of err) {
      try {
        return await jwtVerify(jwt, key, options);
      } catch (inner) {
        if (!(inner instanceof errors.JWSSignatureVerificationFailed)) throw inner;
      }
    }
    throw new errors.JWSSignatureVerificationFailed();
  }
}

function checkLifetime(
  payload: JWTPayload,
  maxLifetimeSeconds: number,
  reject: (reason: RequestObjectRejection, message: string) => RequestObjectError,
): void {
  const start = payload.nbf ?? payload.iat;
  if (payload.exp === undefined || start === undefined) {
    throw reject('invalid_claims', 'The request object must carry "exp" and "nbf"');
  }
  if (payload.exp - start > maxLifetimeSeconds) {
    throw reject(
      'lifetime_too_long',
      `The request object may be valid for at most ${maxLifetimeSeconds} seconds`,
    );
  }
}

function toRejection(
  err: unknown,
  reject: (reason: RequestObjectRejection, message: string, cause?: unknown) => RequestObjectError,
): unknown {
  if (err instanceof errors.JWTExpired) return reject('expired', 'The request object has expired', err);
  if (err instanceof errors.JWTClaimValidationFailed) {
    return err.claim === 'nbf' && err.reason === 'check_failed'
      ? reject('not_yet_valid', 'The request object is not valid yet ("nbf" is in the future)', err)
      : reject('invalid_claims', `The request object "${err.claim}" claim is invalid`, err);
  }
  if (err instanceof errors.JOSEAlgNotAllowed) {
    return reject(
      'algorithm_not_allowed',
      'The request object is signed with an algorithm that is not allowed',
      err,
    );
  }
  if (err instanceof errors.JWKSNoMatchingKey) {
    return reject(
      'unknown_key',
      "The request object is not signed with one of the client's registered keys",
      err,
    );
  }
  if (err instanceof errors.JWSSignatureVerificationFailed) {
    return reject('invalid_signature', 'The request object signature is invalid', err);
  }
  if (err instanceof errors.JWKSInvalid || err instanceof errors.JWKInvalid) {
    // The client registered keys that cannot verify anything (malformed, or private): its problem.
    return reject('unknown_key', "The client's registered keys cannot verify request objects", err);
  }
  if (
    err instanceof errors.JWTInvalid ||
    err instanceof errors.JWSInvalid ||
    err instanceof errors.JOSENotSupported
  ) {
    return reject('malformed', 'The request object is not a well-formed signed JWT', err);
  }
  return err;
}

function isSymmetric(alg: string): boolean {
  return /^HS\d+$/.test(alg);
}

/** Case-insensitive, with the optional `application/` prefix dropped (RFC 7515 §4.1.9). */
function normaliseTyp(typ: string): string {
  return typ.toLowerCase().replace(/^application\//, '');
}
