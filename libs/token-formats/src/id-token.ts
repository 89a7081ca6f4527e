import {
  compactVerify,
  createLocalJWKSet,
  decodeProtectedHeader,
  errors,
  type JWK,
  type JWTPayload,
} from 'jose';
import type { JwsSigner } from './jws-signer';
import { toPublicJwk } from './jwks';
import { leftHalfHash } from './oidc-hashes';
import { SIGNING_ALGS, type SigningAlg } from './signing-key';

/** An ID token's claim set (OIDC Core §2), as `buildIdTokenClaims` produces it. */
export interface IdTokenClaims extends JWTPayload {
  iss: string;
  sub: string;
  /** The client_id: Tessera issues every ID token to one audience. */
  aud: string;
  exp: number;
  iat: number;
  auth_time?: number;
  nonce?: string;
  acr?: string;
  amr?: string[];
  azp?: string;
  sid?: string;
  at_hash?: string;
  c_hash?: string;
  s_hash?: string;
}

export interface IdTokenClaimsInput {
  readonly issuer: string;
  readonly sub: string;
  /** The client_id. */
  readonly audience: string;
  /** `azp`; set only when the caller wants it (OIDC Core §2: needed with several audiences). */
  readonly authorizedParty?: string;
  /** Epoch seconds, from the clock the caller controls. */
  readonly issuedAt: number;
  readonly expiresIn: number;
  /** Epoch seconds of the end-user's authentication (`auth_time`). */
  readonly authTime?: number;
  readonly nonce?: string;
  readonly acr?: string;
  readonly amr?: readonly string[];
  /** The OP session id (OIDC Front-/Back-Channel Logout). */
  readonly sid?: string;
  /** Issued alongside: sets `at_hash` (OIDC Core §3.1.3.6, §3.3.2.11). */
  readonly accessToken?: string;
  /** Issued alongside from the authorization endpoint: sets `c_hash` (§3.3.2.11). */
  readonly code?: string;
  /** Only when `s_hash` is wanted (FAPI 1.0 Advanced §5.2.2.1): sets `s_hash`. */
  readonly state?: string;
  /** The `alg` of the signer that will sign this token: it picks the hash of the three claims above. */
  readonly alg: SigningAlg;
  /** User claims the caller released (after consent and the `claims` parameter). */
  readonly extraClaims?: Readonly<Record<string, unknown>>;
}

/**
 * Claim names the builder owns. An extra claim by one of these names is dropped, so that a user
 * attribute (say a custom claim called `sub` or `aud` from an upstream IdP) can never change who
 * the token is about, who it is for or how long it lives. The list: the JWT registered claims
 * (RFC 7519 §4.1), the ID token claims of OIDC Core §2, the hash claims, `sid`, and `events`,
 * so that an ID token can never pass for a logout token (OIDC Back-Channel Logout §2.4).
 */
const REGISTERED_CLAIMS: ReadonlySet<string> = new Set([
  'iss',
  'sub',
  'aud',
  'exp',
  'nbf',
  'iat',
  'jti',
  'auth_time',
  'nonce',
  'acr',
  'amr',
  'azp',
  'sid',
  'at_hash',
  'c_hash',
  's_hash',
  'events',
]);

/** The ID token claim set. Throws a TypeError on input that would produce a bad token. */
export function buildIdTokenClaims(input: IdTokenClaimsInput): IdTokenClaims {
  const { issuer, sub, audience, issuedAt, expiresIn, alg } = input;
  requireString('issuer', issuer);
  requireString('sub', sub);
  // OIDC Core §2: sub "MUST NOT exceed 255 ASCII characters in length".
  if (sub.length > 255) throw new TypeError('sub must not exceed 255 characters (OIDC Core §2)');
  requireString('audience', audience);
  requireEpochSeconds('issuedAt', issuedAt);
  if (!Number.isSafeInteger(expiresIn) || expiresIn <= 0) {
    throw new TypeError('expiresIn must be a positive whole number of seconds');
  }
  if (!(SIGNING_ALGS as readonly string[]).includes(alg)) {
    throw new TypeError(`alg must be one of ${SIGNING_ALGS.join(', ')}`);
  }

  const claims: IdTokenClaims = { iss: issuer, sub, aud: audience, exp: issuedAt + expiresIn, iat: issuedAt };
  if (input.authTime !== undefined) {
    requireEpochSeconds('authTime', input.authTime);
    claims.auth_time = input.authTime;
  }
  if (input.nonce !== undefined) claims.nonce = requireString('nonce', input.nonce);
  if (input.acr !== undefined) claims.acr = requireString('acr', input.acr);
  if (input.amr !== undefined) {
    if (!Array.isArray(input.amr) || input.amr.some((m) => typeof m !== 'string' || m === '')) {
      throw new TypeError('amr must be an array of non-empty strings');
    }
    // An empty list says nothing; RFC 8176 values describe methods actually used.
    if (input.amr.length > 0) claims.amr = [...input.amr];
  }
  if (input.authorizedParty !== undefined)
    claims.azp = requireString('authorizedParty', input.authorizedParty);
  if (input.sid !== undefined) claims.sid = requireString('sid', input.sid);
  if (input.accessToken !== undefined) claims.at_hash = leftHalfHash(input.accessToken, alg);
  if (input.code !== undefined) claims.c_hash = leftHalfHash(input.code, alg);
  if (input.state !== undefined) claims.s_hash = leftHalfHash(input.state, alg);

  for (const [name, value] of Object.entries(input.extraClaims ?? {})) {
    if (value === undefined || REGISTERED_CLAIMS.has(name)) continue;
    // defineProperty, not assignment: an own `__proto__` member (from JSON) must stay a claim.
    Object.defineProperty(claims, name, { value, enumerable: true, writable: true, configurable: true });
  }
  return claims;
}

/**
 * Signs an ID token (compact JWS, header `{ alg, kid }`). The signer's `alg` must be the `alg`
 * the claims were built with, or the hash claims will not verify.
 *
 * No `typ` header, as node-oidc-provider: OIDC Core registers none for ID tokens, and relying
 * parties neither need nor check one. What keeps our JWTs apart is that every *other* JWT we sign
 * with these keys is explicitly typed (`at+jwt`, RFC 9068), and `verifyIdTokenHint` refuses those.
 */
export function issueIdToken(signer: JwsSigner, claims: IdTokenClaims): string {
  return signer.sign(claims);
}

export type IdTokenHintRejection =
  | 'malformed'
  | 'encrypted'
  | 'unsigned'
  | 'wrong_type'
  | 'algorithm_not_allowed'
  | 'unknown_key'
  | 'invalid_signature'
  | 'wrong_issuer'
  | 'invalid_claims';

/**
 * An `id_token_hint` that must not be used. The message is safe to show a developer (it never
 * echoes the token); the token service maps this to `invalid_request` (OIDC Core §3.1.2.1,
 * RP-Initiated Logout §2).
 */
export class IdTokenHintError extends Error {
  override readonly name = 'IdTokenHintError';
  readonly code = 'invalid_request';

  constructor(
    readonly reason: IdTokenHintRejection,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface VerifyIdTokenHintOptions {
  /** Our issuer identifier; the hint's `iss` must be exactly this. */
  readonly issuer: string;
  /** Our own public signing keys (every key still in the JWKS, so hints signed before a rotation pass). */
  readonly keys: readonly JWK[];
  /** Verification time, for tests. Defaults to now. */
  readonly currentDate?: Date;
}

export interface VerifiedIdTokenHint {
  readonly sub: string;
  /** Always an array, whichever form the token used; the caller compares it with the client_id. */
  readonly aud: string[];
  readonly sid?: string;
  readonly claims: JWTPayload;
}

/** Tolerance for `iat`/`nbf` a little in the future: our own replicas' clocks may disagree. */
const CLOCK_SKEW_SECONDS = 60;

/**
 * Checks an `id_token_hint` (OIDC Core §3.1.2.1, RP-Initiated Logout §2): an ID token we issued
 * earlier, sent back by a client.
 *
 * It must carry our signature (one of `keys`) and our `iss`, but it may be **expired**: §3.1.2.1
 * says "the ID Token need not be valid" and a logout, typically, comes long after the ID token's
 * few minutes ran out. That is why this uses `compactVerify` (signature only) and checks the
 * claims itself: jose's `jwtVerify` has no way to skip `exp`. `iat` and `nbf` are still refused
 * more than 60 s in the future.
 *
 * Refused: anything that is not a signed compact JWS (`alg: none`, a JWE: Tessera issues no
 * encrypted ID tokens, so a client cannot hold one to send back), a JWT of another explicit type
 * (our `at+jwt` access tokens carry the same `iss` and signature), another issuer's token.
 * The caller still checks that the `aud` contains the client and that `sub` is the current user.
 */
export async function verifyIdTokenHint(
  jwt: string,
  options: VerifyIdTokenHintOptions,
): Promise<VerifiedIdTokenHint> {
  const reject = (reason: IdTokenHintRejection, message: string, cause?: unknown) =>
    new IdTokenHintError(reason, message, cause === undefined ? undefined : { cause });

  if (typeof jwt !== 'string' || jwt === '') throw reject('malformed', 'The id_token_hint is empty');
  const parts = jwt.split('.');
  if (parts.length === 5) {
    throw reject('encrypted', 'The id_token_hint is encrypted (a JWE); send the signed ID token as issued');
  }
  if (parts.length !== 3) throw reject('malformed', 'The id_token_hint is not a compact JWS');

  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(jwt);
  } catch (err) {
    throw reject('malformed', 'The id_token_hint header is not valid', err);
  }
  if (header.alg === undefined || header.alg === 'none' || parts[2] === '') {
    throw reject('unsigned', 'The id_token_hint is not signed');
  }
  if (header.typ !== undefined && !isPlainJwtTyp(header.typ)) {
    throw reject('wrong_type', 'The id_token_hint is not an ID token');
  }

  let payloadBytes: Uint8Array;
  try {
    const getKey = createLocalJWKSet({ keys: options.keys.map((key) => toPublicJwk(key)) });
    ({ payload: payloadBytes } = await compactVerify(jwt, getKey, { algorithms: [...SIGNING_ALGS] }));
  } catch (err) {
    if (err instanceof errors.JOSEAlgNotAllowed) {
      throw reject(
        'algorithm_not_allowed',
        'The id_token_hint is signed with an algorithm we do not use',
        err,
      );
    }
    if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys) {
      throw reject('unknown_key', 'The id_token_hint is not signed with one of our keys', err);
    }
    if (err instanceof errors.JWSSignatureVerificationFailed) {
      throw reject('invalid_signature', 'The id_token_hint signature is invalid', err);
    }
    if (err instanceof errors.JWSInvalid || err instanceof errors.JOSENotSupported) {
      throw reject('malformed', 'The id_token_hint is not a well-formed signed JWT', err);
    }
    throw err; // a bad key set is our fault, not the client's
  }

  let claims: JWTPayload;
  try {
    claims = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payloadBytes)) as JWTPayload;
  } catch (err) {
    throw reject('malformed', 'The id_token_hint payload is not JSON', err);
  }
  if (claims === null || typeof claims !== 'object' || Array.isArray(claims)) {
    throw reject('malformed', 'The id_token_hint payload is not a JSON object');
  }

  if (claims.iss !== options.issuer)
    throw reject('wrong_issuer', 'The id_token_hint was issued by another issuer');
  if (typeof claims.sub !== 'string' || claims.sub === '') {
    throw reject('invalid_claims', 'The id_token_hint has no "sub" claim');
  }
  const aud = typeof claims.aud === 'string' ? [claims.aud] : claims.aud;
  if (!Array.isArray(aud) || aud.length === 0 || aud.some((a) => typeof a !== 'string' || a === '')) {
    throw reject('invalid_claims', 'The id_token_hint has no valid "aud" claim');
  }
  if (claims['sid'] !== undefined && (typeof claims['sid'] !== 'string' || claims['sid'] === '')) {
    throw reject('invalid_claims', 'The id_token_hint "sid" claim is not a string');
  }
  const now = Math.floor((options.currentDate ?? new Date()).getTime() / 1000);
  for (const name of ['iat', 'nbf', 'exp'] as const) {
    const value = claims[name];
    if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value))) {
      throw reject('invalid_claims', `The id_token_hint "${name}" claim is not a number`);
    }
  }
  if ((claims.iat ?? 0) > now + CLOCK_SKEW_SECONDS || (claims.nbf ?? 0) > now + CLOCK_SKEW_SECONDS) {
    throw reject('invalid_claims', 'The id_token_hint is dated in the future');
  }

  return {
    sub: claims.sub,
    aud: [...aud],
    ...(typeof claims['sid'] === 'string' ? { sid: claims['sid'] } : {}),
    claims,
  };
}

/** `JWT` or `application/jwt`, case-insensitively (RFC 7515 §4.1.9, RFC 7519 §5.1). */
function isPlainJwtTyp(typ: unknown): boolean {
  return typeof typ === 'string' && typ.toLowerCase().replace(/^application\//, '') === 'jwt';
}

function requireString(name: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') throw new TypeError(`${name} must be a non-empty string`);
  return value;
}

function requireEpochSeconds(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new TypeError(`${name} must be a whole number of epoch seconds`);
}
