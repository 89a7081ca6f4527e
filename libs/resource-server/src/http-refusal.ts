import { TokenError } from './token-error';
import type { TokenVerifier } from './token-verifier';
import type { VerifiedToken } from './verified-token';
import { wwwAuthenticate } from './www-authenticate';

/** What the HTTP adapters read from a request: Node's IncomingMessage, Express's and Fastify's requests all fit. */
export interface BearerRequestLike {
  headers: Record<string, string | string[] | undefined>;
  url?: string;
  /** Set once the token is accepted. */
  token?: VerifiedToken;
}

/**
 * The request's access token, verified and holding `scopes`, from the Authorization header
 * (RFC 6750 §2.1, the only method supported). A request that also puts a token in the query
 * uses two methods at once: invalid_request (§3.1).
 */
export function authorizeRequest(verifier: TokenVerifier, req: BearerRequestLike, scopes: readonly string[]): Promise<VerifiedToken> {
  const header = req.headers['authorization'];
  if (Array.isArray(header)) {
    return Promise.reject(new TokenError('invalid_request', 'Send exactly one Authorization header.', { detail: 'repeated_authorization_header' }));
  }
  if (header !== undefined && hasQueryToken(req.url)) {
    return Promise.reject(
      new TokenError('invalid_request', 'Send the access token in the Authorization header only, not also as the access_token query parameter.', {
        detail: 'two_methods',
      }),
    );
  }
  return verifier.authorize(header, scopes);
}

/** The response for a refused request. */
export interface Refusal {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

/**
 * The RFC 6750 response for a TokenError: its status, `WWW-Authenticate`, and a JSON body with
 * the same `error`, `error_description` (and `scope`) as the header; an empty body when the
 * request carried no credentials (§3.1: no error information then). Undefined for any other
 * error, which is not the request's fault.
 */
export function refusalFor(err: unknown, realm: string): Refusal | undefined {
  if (!(err instanceof TokenError)) return undefined;
  return {
    status: err.status,
    headers: { 'www-authenticate': wwwAuthenticate(err, realm), 'cache-control': 'no-store' },
    body: err.credentialsMissing ? {} : { ...err.toJSON() },
  };
}

function hasQueryToken(url: string | undefined): boolean {
  if (!url || !url.includes('?')) return false;
  try {
    return new URL(url, 'http://localhost').searchParams.has('access_token');
  } catch {
    return false;
  }
}
