import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { isDependencyUnavailable, TEMPORARILY_UNAVAILABLE_DESCRIPTION } from '@tessera/oauth-errors';
import { redactUrl } from '../logging/logger';

/**
 * The last resort for errors no service filter handled: unknown routes, and what fastify
 * refuses before a handler runs (oversized body, bad JSON, unsupported media type). The answer
 * has the OAuth error shape, `no-store`, and never a stack trace or an internal message;
 * malformed requests are 400 `invalid_request` (RFC 6749 §5.2).
 */
@Catch()
export class GlobalErrorFilter implements ExceptionFilter {
  constructor(
    private readonly logger: Logger,
    private readonly bodyLimit: number,
  ) {}

  catch(exception: unknown, host: ArgumentsHost) {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const req = http.getRequest<FastifyRequest>();
    const status = statusOf(exception);
    let code = 400;
    let body: { error: string; error_description: string };
    if (status === 404) {
      code = 404;
      body = { error: 'not_found', error_description: 'No such endpoint.' };
    } else if (status < 500) {
      body = { error: 'invalid_request', error_description: this.describe(exception, status) };
    } else if (isDependencyUnavailable(exception)) {
      // The database restarting is not the request's fault, nor a bug: the client may try again.
      code = 503;
      this.logger.warn({ req: { id: req.id, method: req.method, url: redactUrl(req.url) }, err: (exception as Error).message }, 'a dependency is unavailable');
      body = { error: 'temporarily_unavailable', error_description: TEMPORARILY_UNAVAILABLE_DESCRIPTION };
    } else {
      code = 500;
      this.logger.error({ err: exception, req: { id: req.id, method: req.method, url: redactUrl(req.url) } }, 'unhandled error');
      body = { error: 'server_error', error_description: 'The server met an unexpected condition. Try again later.' };
    }
    void reply.code(code).header('cache-control', 'no-store').send(body);
  }

  private describe(exception: unknown, status: number): string {
    const code = (exception as { code?: string }).code;
    if (status === 413 || code === 'FST_ERR_CTP_BODY_TOO_LARGE') return `The request body is larger than ${this.bodyLimit} bytes.`;
    if (status === 415 || code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return 'Unsupported Content-Type: send application/x-www-form-urlencoded (or application/json where documented).';
    }
    if (code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || exception instanceof SyntaxError) return 'The request body is not valid JSON.';
    if (status === 405) return 'This method is not allowed here.';
    return 'The request is malformed.';
  }
}

function statusOf(exception: unknown): number {
  if (exception instanceof HttpException) return exception.getStatus();
  const status = (exception as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' && status >= 400 && status < 600 ? status : 500;
}
