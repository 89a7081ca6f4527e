import { Catch, HttpException, Inject, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { isDependencyUnavailable, OAuthError, TEMPORARILY_UNAVAILABLE_DESCRIPTION } from '@tessera/oauth-errors';
import { LOGGER, redactUrl } from '@tessera/runtime';
import { FlowError } from './flow-error';

/**
 * The one place an error becomes a response for the authentication service: `{ error,
 * error_description }`, `no-store`, never a stack trace. Internal errors are logged with the
 * request id and answered as `server_error`.
 */
@Catch()
export class FlowErrorFilter implements ExceptionFilter {
  constructor(@Inject(LOGGER) private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost) {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const req = http.getRequest<FastifyRequest>();
    const { status, body, detail } = describe(exception);
    const log = { req: { id: req.id, method: req.method, url: redactUrl(req.url) }, error: body['error'], detail };
    if (status >= 500) this.logger.error({ ...log, err: exception }, 'request failed');
    else this.logger.info(log, 'request refused');
    // RFC 6750 §3: the bearer challenge on 401, and on 400/403 refusals of a token too.
    if ((exception as { wwwAuthenticate?: string }).wwwAuthenticate) {
      void reply.header('www-authenticate', (exception as { wwwAuthenticate: string }).wwwAuthenticate);
    }
    void reply.code(status).header('cache-control', 'no-store').send(body);
  }
}

function describe(exception: unknown): { status: number; body: Record<string, unknown>; detail?: string } {
  if (exception instanceof FlowError) return { status: exception.status, body: exception.toJSON(), detail: exception.detail };
  if (exception instanceof OAuthError) return { status: exception.status, body: { ...exception.toJSON() }, detail: exception.detail };
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    if (status === 404) return { status, body: { error: 'not_found', error_description: 'No such endpoint.' } };
    if (status < 500) return { status, body: { error: 'invalid_request', error_description: 'The request is malformed.' }, detail: exception.message };
  }
  // The database restarting is not the request's fault, nor a bug: the client may try again.
  if (isDependencyUnavailable(exception)) return { status: 503, body: { error: 'temporarily_unavailable', error_description: TEMPORARILY_UNAVAILABLE_DESCRIPTION } };
  return { status: 500, body: { error: 'server_error', error_description: 'The server met an unexpected condition. Try again later.' } };
}
