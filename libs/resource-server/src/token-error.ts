import { OAuthError } from '@tessera/oauth-errors';

/** The three error codes RFC 6750 §3.1 defines for a protected resource. */
export type TokenErrorCode = 'invalid_request' | 'invalid_token' | 'insufficient_scope';

const STATUS = {
  invalid_request: 400,
  invalid_token: 401,
  insufficient_scope: 403,
} as const satisfies Record<TokenErrorCode, number>;

export interface TokenErrorOptions {
  /** Private: why, for logs and tests (e.g. `wrong_audience`). Never sent, never the token itself. */
  detail?: string;
  /** insufficient_scope: the scope(s) the request needs, space-delimited (RFC 6750 §3). */
  scope?: string;
}

const MISSING_CREDENTIALS = 'The request carries no access token: send it as "Authorization: Bearer <token>".';

/**
 * A request the resource server refuses, as RFC 6750 §3.1 names it. `description` becomes
 * `error_description` (sanitised to the characters RFC 6749 §5.2 allows, so it fits a quoted
 * header value); it is written for the client's developer and never contains the token.
 */
export class TokenError extends OAuthError {
  declare readonly code: TokenErrorCode;
  declare readonly status: 400 | 401 | 403;
  /**
   * True when the request carried no bearer token at all (no Authorization header, or another
   * scheme). RFC 6750 §3.1: the 401 then carries a bare challenge, without an error code or
   * other error information, so `wwwAuthenticate` and the HTTP adapters leave `code` out.
   */
  readonly credentialsMissing: boolean;

  constructor(code: TokenErrorCode, description: string, options: TokenErrorOptions = {}) {
    // No `cause`: jose's errors carry the token's claims, and an error object is what ends up in logs.
    super(code, description, { status: STATUS[code], detail: options.detail, scope: options.scope });
    this.credentialsMissing = false;
  }

  /** The 401 for a request without bearer credentials (see `credentialsMissing`). */
  static missingCredentials(): TokenError {
    const error = new TokenError('invalid_token', MISSING_CREDENTIALS, { detail: 'no_credentials' });
    (error as { credentialsMissing: boolean }).credentialsMissing = true;
    return error;
  }
}

/**
 * The token could not be checked because the authorization server did not answer as needed:
 * discovery, JWKS or introspection unreachable, slow, refusing this resource server's client
 * credentials, or answering something that is not a valid response. Not the token's fault, so
 * not a 401 (a client would throw a good token away): HTTP adapters answer 503. `status` is
 * read by Express's default error handler; the message names the endpoint, never the token.
 */
export class IssuerUnavailableError extends Error {
  override readonly name = 'IssuerUnavailableError';
  readonly status = 503;
  /** Express and `http-errors` convention: do not show the message to the caller. */
  readonly expose = false;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
