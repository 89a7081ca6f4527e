/**
 * OAuth 2.0 / OpenID Connect errors as typed values (RFC 6749 §5.2, §4.1.2.1, RFC 6750 §3.1,
 * RFC 7009, RFC 7591 §3.2.2, RFC 8707, OIDC Core §3.1.2.6).
 *
 * `description` is public: it becomes `error_description` and is written for a developer to act
 * on. `detail` is private: it is logged, never sent (it says which part of a credential failed).
 */
import { isDependencyUnavailable, TEMPORARILY_UNAVAILABLE_DESCRIPTION } from './dependency-unavailable';

export const OAUTH_ERROR_STATUS = {
  invalid_request: 400,
  invalid_client: 401,
  invalid_grant: 400,
  unauthorized_client: 400,
  unsupported_grant_type: 400,
  invalid_scope: 400,
  access_denied: 403,
  unsupported_response_type: 400,
  unsupported_token_type: 400,
  server_error: 500,
  temporarily_unavailable: 503,
  login_required: 400,
  consent_required: 400,
  interaction_required: 400,
  account_selection_required: 400,
  invalid_request_uri: 400,
  invalid_request_object: 400,
  request_not_supported: 400,
  request_uri_not_supported: 400,
  registration_not_supported: 400,
  invalid_token: 401,
  insufficient_scope: 403,
  invalid_target: 400,
  invalid_redirect_uri: 400,
  invalid_client_metadata: 400,
  invalid_software_statement: 400,
  unapproved_software_statement: 400,
  invalid_dpop_proof: 400,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  unsupported_media_type: 415,
  payload_too_large: 413,
} as const satisfies Record<string, number>;

export type OAuthErrorCode = keyof typeof OAUTH_ERROR_STATUS;

export interface OAuthErrorOptions {
  /** Private: logged and attached to `.error` events, never sent to the caller. */
  detail?: string;
  cause?: unknown;
  /** For invalid_scope / insufficient_scope: the scope at fault. */
  scope?: string;
  /** Whether /authorize may deliver this error to the (verified) redirect_uri. */
  allowRedirect?: boolean;
  /** Overrides the code's default HTTP status (e.g. 400 invalid_client without credentials). */
  status?: number;
}

export class OAuthError extends Error {
  readonly status: number;
  readonly detail?: string;
  readonly scope?: string;
  readonly allowRedirect: boolean;
  /** The public `error_description`, in the characters RFC 6749 §5.2 allows. */
  readonly description: string;

  constructor(
    readonly code: OAuthErrorCode,
    description: string,
    options: OAuthErrorOptions = {},
  ) {
    super(`${code}: ${description}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.description = toErrorDescription(description);
    this.name = new.target.name;
    this.status = options.status ?? OAUTH_ERROR_STATUS[code];
    this.detail = options.detail;
    this.scope = options.scope;
    this.allowRedirect = options.allowRedirect ?? true;
  }

  /** The allow-listed wire form (panva's err_out): nothing else about the error is ever sent. */
  toJSON(): OAuthErrorBody {
    const body: OAuthErrorBody = { error: this.code, error_description: this.description };
    if (this.scope !== undefined) body.scope = this.scope;
    return body;
  }
}

/**
 * RFC 6749 §5.2: error_description is limited to %x20-21 / %x23-5B / %x5D-7E (printable ASCII
 * without `"` and `\`), so that it fits a quoted string anywhere (query, fragment, a
 * WWW-Authenticate header). Messages are written freely and mapped here: quotes become
 * apostrophes, `§` becomes "section", typographic dashes and ellipses their ASCII forms, and
 * anything else outside the set is dropped.
 */
export function toErrorDescription(text: string): string {
  return text
    .replace(/"/g, "'")
    .replace(/\\/g, '/')
    .replace(/§\s*/g, 'section ')
    .replace(/[\u2013\u2014]/g, '-')
    .replace(/\u2026/g, '...')
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[^\x20-\x21\x23-\x5B\x5D-\x7E]/g, '');
}

export interface OAuthErrorBody {
  error: OAuthErrorCode;
  error_description: string;
  scope?: string;
}

type Ctor = new (description: string, options?: OAuthErrorOptions) => OAuthError;
function define(code: OAuthErrorCode): Ctor {
  return class extends OAuthError {
    constructor(description: string, options?: OAuthErrorOptions) {
      super(code, description, options);
    }
  };
}

export class InvalidRequestError extends define('invalid_request') {}
export class InvalidClientError extends define('invalid_client') {}
export class InvalidGrantError extends define('invalid_grant') {}
export class UnauthorizedClientError extends define('unauthorized_client') {}
export class UnsupportedGrantTypeError extends define('unsupported_grant_type') {}
export class InvalidScopeError extends define('invalid_scope') {}
export class AccessDeniedError extends define('access_denied') {}
export class UnsupportedResponseTypeError extends define('unsupported_response_type') {}
export class UnsupportedTokenTypeError extends define('unsupported_token_type') {}
export class ServerError extends define('server_error') {}
export class TemporarilyUnavailableError extends define('temporarily_unavailable') {}
export class LoginRequiredError extends define('login_required') {}
export class ConsentRequiredError extends define('consent_required') {}
export class InteractionRequiredError extends define('interaction_required') {}
export class InvalidTokenError extends define('invalid_token') {}
export class InsufficientScopeError extends define('insufficient_scope') {}
export class InvalidTargetError extends define('invalid_target') {}
export class InvalidRedirectUriError extends define('invalid_redirect_uri') {}
export class InvalidClientMetadataError extends define('invalid_client_metadata') {}
export class NotFoundError extends define('not_found') {}
/** The state of what is named forbids the change (an internal API's answer, never a protocol one). */
export class ConflictError extends define('conflict') {}
export class PayloadTooLargeError extends define('payload_too_large') {}
export class UnsupportedMediaTypeError extends define('unsupported_media_type') {}

/**
 * Anything that is not an OAuthError becomes `server_error` with a generic description, so
 * that no stack trace, driver message or internal detail reaches a caller; a dependency that
 * cannot be reached (the database restarting) becomes 503 `temporarily_unavailable`.
 */
export function toOAuthError(err: unknown): OAuthError {
  if (err instanceof OAuthError) return err;
  if (isDependencyUnavailable(err))
    return new TemporarilyUnavailableError(TEMPORARILY_UNAVAILABLE_DESCRIPTION, { cause: err, detail: err instanceof Error ? err.message : String(err) });
  return new ServerError('The server met an unexpected condition. Try again later.', {
    cause: err,
    detail: err instanceof Error ? err.message : String(err),
  });
}
