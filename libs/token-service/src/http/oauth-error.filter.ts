import { Catch, HttpException, Inject, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { NotFoundError, InvalidRequestError, OAuthError, toOAuthError } from '@tessera/oauth-errors';
import { LOGGER, redactUrl } from '@tessera/runtime';
import type { ChallengeCarrier } from '../client-auth/client-authenticator';

/**
 * The one place an error becomes a response for the token service's JSON endpoints: the RFC's
 * error code, `Cache-Control: no-store`, a WWW-Authenticate challenge where one is due, and
 * never a stack trace. `detail` (the private reason) is logged, not sent.
 */
@Catch()
export class OAuthErrorFilter implements ExceptionFilter {
  constructor(@Inject(LOGGER) private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost) {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const req = http.getRequest<FastifyRequest>();
    const err = fromNest(exception);
    const log = { req: { id: req.id, method: req.method, url: redactUrl(req.url) }, error: err.code, detail: err.detail };
    if (err.status >= 500) this.logger.error({ ...log, err: err.cause ?? err }, 'request failed');
    else this.logger.info(log, 'request refused');
    // RFC 9110 §15.5.2: every 401 names how to authenticate; client authentication is Basic-capable.
    const challenge =
      (exception as ChallengeCarrier).wwwAuthenticate ??
      (err.status === 401 ? (err.code === 'invalid_client' ? 'Basic realm="tessera", charset="UTF-8"' : 'Bearer realm="tessera"') : undefined);
    if (challenge) void reply.header('www-authenticate', challenge);
    void reply.code(err.status).header('cache-control', 'no-store').header('pragma', 'no-cache').send(err.toJSON());
  }
}

function fromNest(exception: unknown): OAuthError {
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    if (status === 404) return new NotFoundError('No such endpoint.');
    if (status < 500) return new InvalidRequestError('The request is malformed.', { status, detail: exception.message });
  }
  return toOAuthError(exception);
}
