import type { TokenError } from './token-error';

/**
 * RFC 6750 §3 requires at least one auth-param after `Bearer`; when the caller names no realm
 * and there is no error to describe (a request without a token), this realm is that param.
 */
export const DEFAULT_REALM = 'api';

/**
 * The `WWW-Authenticate` value for a refused request (RFC 6750 §3).
 *
 * - No `error`, or one with `credentialsMissing` (the request carried no token, or used an
 *   authentication scheme we do not support): only the realm, because §3.1 says such a
 *   response SHOULD NOT carry an error code or other error information.
 * - Otherwise `error`, `error_description` and, for insufficient_scope, `scope`: the scope the
 *   request needs.
 *
 * Every value is a quoted-string (RFC 9110 §5.6.4); anything a header cannot carry is removed,
 * so a realm from configuration cannot split the header.
 */
export function wwwAuthenticate(error: TokenError | undefined, realm?: string): string {
  const params: string[] = [];
  if (realm !== undefined) params.push(`realm=${quoted(realm)}`);
  if (error && !error.credentialsMissing) {
    params.push(`error=${quoted(error.code)}`);
    if (error.description) params.push(`error_description=${quoted(error.description)}`);
    if (error.code === 'insufficient_scope' && error.scope) params.push(`scope=${quoted(error.scope)}`);
  }
  if (params.length === 0) params.push(`realm=${quoted(DEFAULT_REALM)}`);
  return `Bearer ${params.join(', ')}`;
}

function quoted(value: string): string {
  // Visible ASCII and space only (no CR/LF, no control characters), then quoted-pair escaping.
  const safe = value.replace(/[^\x20-\x7E]/g, '').replace(/(["\\])/g, '\\$1');
  return `"${safe}"`;
}
