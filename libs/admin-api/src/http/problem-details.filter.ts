import { ArgumentsHost, Catch, HttpException, Logger, type ExceptionFilter } from '@nestjs/common';
import { isDependencyUnavailable, TEMPORARILY_UNAVAILABLE_DESCRIPTION } from '@tessera/oauth-errors';
import type { FastifyReply } from 'fastify';
import { Problem, PROBLEM_CONTENT_TYPE, problemBody } from './problem';

/**
 * Every error of the admin API as RFC 9457 problem details (`application/problem+json`): ours,
 * the bearer-token guard's RFC 6750 refusals (their WWW-Authenticate header is already set),
 * Nest's own (404 for an unknown route, 400 for a body that is not JSON), and anything else as a
 * 500 that says nothing about the inside (logged with its stack here, never sent).
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('AdminApi');

  catch(error: unknown, host: ArgumentsHost) {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const { status, body } = this.describe(error);
    void reply.status(status).header('content-type', PROBLEM_CONTENT_TYPE).header('cache-control', 'no-store').send(JSON.stringify(body));
  }

  private describe(error: unknown): { status: number; body: Record<string, unknown> } {
    if (error instanceof Problem) return { status: error.status, body: problemBody(error.status, error.code, error.detail, error.extra) };
    if (error instanceof HttpException) {
      const status = error.getStatus();
      const response = error.getResponse();
      const fields = typeof response === 'object' && response !== null ? (response as Record<string, unknown>) : {};
      // RFC 6750 refusals carry `error` and `error_description`; Nest's own carry `message`.
      const code = typeof fields['error'] === 'string' && /^[a-z_]+$/.test(fields['error']) ? fields['error'] : status === 404 ? 'not_found' : status >= 500 ? 'temporarily_unavailable' : 'invalid_request';
      const detail =
        typeof fields['error_description'] === 'string'
          ? fields['error_description']
          : typeof fields['message'] === 'string' && status < 500
            ? fields['message']
            : status === 401
              ? 'An access token for the admin API is required.'
              : 'The request could not be handled.';
      return { status, body: problemBody(status, code, detail, fields['scope'] ? { scope: fields['scope'] } : {}) };
    }
    this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    // The database restarting is not a bug: 503 tells the caller to try again.
    if (isDependencyUnavailable(error)) return { status: 503, body: problemBody(503, 'temporarily_unavailable', TEMPORARILY_UNAVAILABLE_DESCRIPTION) };
    return { status: 500, body: problemBody(500, 'internal_error', 'Something went wrong on our side; the request was not completed. Try again.') };
  }
}
