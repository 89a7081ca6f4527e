import { Catch, Inject, Injectable, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { LOGGER, redactUrl } from '@tessera/runtime';
import { FlowError } from '../http/flow-error';
import { FlowErrorFilter } from '../http/flow-error.filter';
import { UpstreamFailure } from './upstream-oidc-client';

/**
 * A failure of an upstream sign-in the browser should see on the page it came from (the login
 * page with its challenge, or the account page), as `upstream_error=<code>`. Used only once the
 * browser is known to be the one that started the sign-in: a stranger's callback gets a plain
 * JSON error and learns nothing about the challenge.
 */
export class UpstreamRedirect extends Error {
  constructor(
    readonly location: string,
    readonly error: FlowError,
  ) {
    super(error.message);
    this.name = 'UpstreamRedirect';
  }

  static from(err: unknown, page: (params: Record<string, string>) => string): unknown {
    if (err instanceof UpstreamRedirect || !(err instanceof FlowError)) return err;
    return new UpstreamRedirect(page({ upstream_error: err instanceof UpstreamFailure ? err.reason : err.code }), err);
  }
}

/** The upstream flow's filter: redirects for UpstreamRedirect, the service's JSON errors otherwise. */
@Catch()
@Injectable()
export class UpstreamFlowErrorFilter implements ExceptionFilter {
  constructor(
    private readonly flowErrors: FlowErrorFilter,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  catch(exception: unknown, host: ArgumentsHost) {
    if (!(exception instanceof UpstreamRedirect)) return this.flowErrors.catch(exception, host);
    const req = host.switchToHttp().getRequest<FastifyRequest>();
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    this.logger.info({ req: { id: req.id, method: req.method, url: redactUrl(req.url) }, error: exception.error.code, detail: exception.error.detail }, 'upstream sign-in refused');
    void reply.code(302).header('location', exception.location).header('cache-control', 'no-store').send();
  }
}
