import { HttpException, Injectable, Logger, Optional, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { authorizeRequest, refusalFor, type BearerRequestLike } from '../http-refusal';
import { IssuerUnavailableError } from '../token-error';
import { TokenVerifier } from '../token-verifier';
import { REQUIRED_SCOPES } from './require-scopes.decorator';

/** Fastify's reply has `header()`, Express's response `header()` and `setHeader()`, Node's `setHeader()`. */
interface ResponseLike {
  header?: (name: string, value: string) => unknown;
  setHeader?: (name: string, value: string) => unknown;
}

/**
 * Lets a request through only with a valid bearer token holding the scopes of `@RequireScopes`
 * (class and method), and sets `req.token` to the VerifiedToken. A refusal is RFC 6750's:
 * 400/401/403 with `WWW-Authenticate` (set on the response, then thrown as an HttpException so
 * that Nest answers through the app's own exception filters, on Fastify and Express alike). An
 * authorization server that cannot be asked gives 503, logged without the token.
 */
@Injectable()
export class BearerTokenGuard implements CanActivate {
  private readonly logger = new Logger(BearerTokenGuard.name);
  private readonly reflector: Reflector;

  constructor(
    private readonly verifier: TokenVerifier,
    @Optional() reflector?: Reflector,
  ) {
    this.reflector = reflector ?? new Reflector();
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') throw new Error('BearerTokenGuard protects HTTP routes only.');
    const http = context.switchToHttp();
    const req = http.getRequest<BearerRequestLike>();
    const scopes = this.reflector.getAllAndMerge<string[]>(REQUIRED_SCOPES, [context.getClass(), context.getHandler()]) ?? [];
    try {
      req.token = await authorizeRequest(this.verifier, req, [...new Set(scopes)]);
      return true;
    } catch (err) {
      const refusal = refusalFor(err, this.verifier.audiences[0]);
      if (refusal) {
        const res = http.getResponse<ResponseLike>();
        for (const [name, value] of Object.entries(refusal.headers)) setHeader(res, name, value);
        throw new HttpException(refusal.body, refusal.status);
      }
      if (err instanceof IssuerUnavailableError) {
        this.logger.warn(`Access token not checked: ${err.message}`);
        throw new HttpException({ error_description: 'The access token cannot be checked right now. Try again later.' }, 503);
      }
      throw err;
    }
  }
}

function setHeader(res: ResponseLike, name: string, value: string): void {
  if (typeof res.header === 'function') res.header(name, value);
  else if (typeof res.setHeader === 'function') res.setHeader(name, value);
}
