import { Controller, Get, Inject, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { InvalidRequestError, OAuthError, toOAuthError } from '@tessera/oauth-errors';
import { LOGGER, redactUrl } from '@tessera/runtime';
import { newContext, AuthorizePipeline } from '../../authorize/pipeline';
import { AuthorizationFlowService, type FlowStep } from '../../authorize/authorization-flow.service';
import type { AuthorizeContext } from '../../authorize/authorize-context';
import type { AuthorizationRequest } from '../../authorize/authorization-request';
import { ClientsService } from '../../clients/clients.service';
import { refuseDisabledForAuthorization } from '../../clients/disabled-client';
import { TOKEN_SERVICE_CONFIG, type TokenServiceConfig } from '../../config/token-service-config';
import { ChallengesService } from '../../interaction/challenges.service';
import { FormPostResponseMode } from '../../response-modes/form-post.response-mode';
import { FragmentResponseMode } from '../../response-modes/fragment.response-mode';
import { QueryResponseMode } from '../../response-modes/query.response-mode';
import type { ResponseMode } from '../../response-modes/response-mode';
import { OP_SESSION_COOKIE, OpSessionsService } from '../../sessions/op-sessions.service';
import type { OpSession } from '../../ports/op-session.store';
import { errorPage, HTML_SECURITY_HEADERS } from '../html';

const RESPONSE_MODES: Record<AuthorizationRequest['responseMode'], ResponseMode> = {
  query: new QueryResponseMode(),
  fragment: new FragmentResponseMode(),
  form_post: new FormPostResponseMode(),
};

/**
 * The authorization endpoint (RFC 6749 §3.1, §4.1). Every response to the client carries `iss`
 * (RFC 9207); an error is redirected only to a redirect URI verified for the client, otherwise
 * the browser gets an error page.
 */
@Controller('oauth2/authorize')
export class AuthorizeController {
  private readonly secureCookies: boolean;

  constructor(
    private readonly pipeline: AuthorizePipeline,
    private readonly flow: AuthorizationFlowService,
    private readonly challenges: ChallengesService,
    private readonly sessions: OpSessionsService,
    private readonly clients: ClientsService,
    @Inject(TOKEN_SERVICE_CONFIG) private readonly config: TokenServiceConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.secureCookies = config.issuer.startsWith('https:');
  }

  @Get()
  get(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.authorize(new URLSearchParams(req.url.split('?')[1] ?? ''), req, reply);
  }

  @Post()
  post(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    if (!(req.body instanceof URLSearchParams)) {
      return this.errorPage(reply, new InvalidRequestError('Send the authorization request as application/x-www-form-urlencoded.'));
    }
    return this.authorize(req.body, req, reply);
  }

  /** Where the login and consent UI sends the browser back once it answered a challenge. */
  @Get('resume')
  async resume(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const challengeValue = new URLSearchParams(req.url.split('?')[1] ?? '').get('challenge') ?? '';
    let request: AuthorizationRequest | undefined;
    try {
      const { challenge, replayed } = await this.challenges.consume(challengeValue, req.cookies);
      void reply.clearCookie(challenge.bindingCookie, { path: '/' });
      // Started over once already: a browser that keeps the cookie cannot stretch one request's
      // checks (a pushed request's single use, a request object's expiry) over ever new challenges.
      if (replayed && challenge.request.restarted) throw new InvalidRequestError('This sign-in step was already completed.');
      request = challenge.request;
      const client = await this.clients.find(challenge.clientId);
      // RFC 6749 §4.1.2.1: no redirect for a client the server no longer knows.
      if (!client) throw new InvalidRequestError('The client of this sign-in no longer exists.', { allowRedirect: false });
      // Disabled while the user was signing in: nothing is issued, and nothing redirected to it.
      refuseDisabledForAuthorization(client);
      const session = await this.sessions.fromCookie(req.cookies[OP_SESSION_COOKIE]);
      if (replayed) {
        // Its first answer never reached this browser: the request it already accepted is
        // evaluated afresh, as at the authorization endpoint (sign in or consent again, or an
        // answer at once from the session and a remembered grant); the used answer is not replayed.
        this.logger.info({ req: { id: req.id, method: req.method, url: redactUrl(req.url) } }, 'challenge resumed again by its browser; authorization restarted');
        this.send(reply, request, await this.flow.start({ ...request, restarted: true }, client, session));
        return;
      }
      const { step, newSession } = await this.flow.resume(challenge, client, session);
      if (newSession) this.setSessionCookie(reply, newSession, challenge.outcome?.kind === 'login' && challenge.outcome.login.remember);
      this.send(reply, request, step);
    } catch (err) {
      this.fail(reply, req, toOAuthError(err), request ? { redirectUri: request.redirectUri, responseMode: request.responseMode, state: request.state } : undefined);
    }
  }

  private async authorize(params: URLSearchParams, req: FastifyRequest, reply: FastifyReply) {
    const ctx = newContext(params);
    try {
      const { request, client } = await this.pipeline.run(ctx);
      const session = await this.sessions.fromCookie(req.cookies[OP_SESSION_COOKIE]);
      this.send(reply, request, await this.flow.start(request, client, session));
    } catch (err) {
      this.fail(reply, req, toOAuthError(err), ctx.redirectUri ? ctx : undefined);
    }
  }

  private send(reply: FastifyReply, request: AuthorizationRequest, step: FlowStep) {
    if (step.kind === 'interaction') {
      void reply.setCookie(step.challenge.cookieName, step.challenge.verifier, {
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        secure: this.secureCookies,
        maxAge: this.config.challengeTtl,
      });
      void reply.code(303).header('location', step.url).header('cache-control', 'no-store').send();
      return;
    }
    const target = { redirectUri: request.redirectUri, responseMode: request.responseMode, state: request.state };
    if (step.kind === 'error') return this.redirectError(reply, target, step.error);
    RESPONSE_MODES[request.responseMode].send(reply, request.redirectUri, this.withStateAndIss(step.params, request.state));
  }

  private fail(reply: FastifyReply, req: FastifyRequest, err: OAuthError, target?: Pick<AuthorizeContext, 'redirectUri' | 'responseMode' | 'state'>) {
    const log = { req: { id: req.id, method: req.method, url: redactUrl(req.url) }, error: err.code, detail: err.detail };
    if (err.status >= 500) this.logger.error({ ...log, err: err.cause ?? err }, 'authorization failed');
    else this.logger.info(log, 'authorization refused');
    if (target?.redirectUri && err.allowRedirect && err.code !== 'server_error') return this.redirectError(reply, target, err);
    this.errorPage(reply, err);
  }

  private redirectError(reply: FastifyReply, target: Pick<AuthorizeContext, 'redirectUri' | 'responseMode' | 'state'>, err: OAuthError) {
    const params = this.withStateAndIss({ error: err.code, error_description: err.description }, target.state);
    RESPONSE_MODES[target.responseMode].send(reply, target.redirectUri as string, params);
  }

  private errorPage(reply: FastifyReply, err: OAuthError) {
    void reply
      .code(err.status >= 500 ? err.status : 400)
      .headers(HTML_SECURITY_HEADERS)
      .header('content-type', 'text/html; charset=utf-8')
      .send(errorPage(err.code, err.code === 'server_error' ? 'Something went wrong on our side. Try again later.' : err.description));
  }

  /** RFC 9207: `iss` in every authorization response; `state` echoed when the client sent one. */
  private withStateAndIss(params: Record<string, string>, state: string | undefined): Record<string, string> {
    return { ...params, ...(state !== undefined ? { state } : {}), iss: this.config.issuer };
  }

  private setSessionCookie(reply: FastifyReply, created: { cookieValue: string; session: OpSession }, remember: boolean) {
    // A persistent cookie lives as long as the session (never longer than its login session).
    const maxAge = Math.max(0, Math.min(this.config.sessionTtl, created.session.expiresAt - created.session.createdAt));
    void reply.setCookie(OP_SESSION_COOKIE, created.cookieValue, {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      secure: this.secureCookies,
      // Without "remember me" the cookie ends with the browser session; the server-side expiry holds either way.
      ...(remember ? { maxAge } : {}),
    });
  }
}
