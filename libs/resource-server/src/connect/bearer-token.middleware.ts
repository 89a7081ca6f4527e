import { authorizeRequest, refusalFor, type BearerRequestLike } from '../http-refusal';
import { requiredScopes } from '../scopes';
import type { TokenVerifier } from '../token-verifier';

/** What the middleware writes to: Node's ServerResponse (and so Express's response). */
export interface BearerResponseLike {
  statusCode: number;
  headersSent?: boolean;
  setHeader(name: string, value: string): unknown;
  end(body?: string): unknown;
}

export interface BearerTokenMiddlewareOptions {
  /** Every one of these scopes is required. */
  scopes?: string[];
}

/**
 * Connect/Express-style middleware (plain `(req, res, next)`, no framework dependency): lets a
 * request through with `req.token` set when it carries a valid bearer token with `scopes`;
 * otherwise answers RFC 6750's 400/401/403 with `WWW-Authenticate` and a JSON body. Any other
 * failure (IssuerUnavailableError, whose `status` is 503) goes to `next(err)`, the app's error
 * handler.
 */
export function bearerToken(
  verifier: TokenVerifier,
  options: BearerTokenMiddlewareOptions = {},
): (req: BearerRequestLike, res: BearerResponseLike, next: (err?: unknown) => void) => void {
  const scopes = requiredScopes(options.scopes ?? []);
  const realm = verifier.audiences[0];
  return (req, res, next) => {
    authorizeRequest(verifier, req, scopes).then(
      (token) => {
        req.token = token;
        next();
      },
      (err: unknown) => {
        const refusal = refusalFor(err, realm);
        if (!refusal || res.headersSent) return next(err);
        res.statusCode = refusal.status;
        for (const [name, value] of Object.entries(refusal.headers)) res.setHeader(name, value);
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(refusal.body));
      },
    );
  };
}
