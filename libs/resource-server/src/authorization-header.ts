import { TokenError } from './token-error';

// RFC 6750 §2.1: credentials = "Bearer" 1*SP b64token, and
// b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=".
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

/**
 * The bearer token in an `Authorization` header value (RFC 6750 §2.1), or undefined when the
 * request carries no bearer credentials at all: no header, or another scheme (RFC 6750 §3.1
 * treats "attempted using an unsupported authentication method" like no authentication, so the
 * answer is a bare challenge). A Bearer header that does not follow the syntax is
 * `invalid_request`. The scheme is case-insensitive (RFC 9110 §11.1).
 */
export function bearerTokenOf(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const value = header.trim();
  if (value === '') return undefined;
  const space = value.search(/\s/);
  const scheme = space === -1 ? value : value.slice(0, space);
  if (scheme.toLowerCase() !== 'bearer') return undefined;
  const rest = space === -1 ? '' : value.slice(space);
  // Exactly spaces between scheme and token (1*SP), then the token and nothing else.
  const match = /^ +(\S+)$/.exec(rest);
  if (!match || !B64TOKEN.test(match[1])) {
    throw new TokenError('invalid_request', 'The Authorization header must be "Bearer", a space and the access token.', {
      detail: 'malformed_authorization_header',
    });
  }
  return match[1];
}
