import { Controller, Get, Inject, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { InvalidRequestError, type OAuthError, toOAuthError } from '@tessera/oauth-errors';
import { LOGGER } from '@tessera/runtime';
import { TOKEN_SERVICE_CONFIG, type TokenServiceConfig } from '../../config/token-service-config';
import type { EndedOpSession } from '../../ports/op-session.store';
import type { ValidatedLogoutRequest } from '../../ports/logout-request.store';
import { EndSessionRequestService, type EndSessionRequest } from '../../sessions/end-session-request.service';
import { appendQuery, FrontChannelLogoutService } from '../../sessions/front-channel-logout.service';
import { LOGOUT_CONFIRMATION_FIELD, LogoutConfirmationsService, logoutCookieName } from '../../sessions/logout-confirmations.service';
import { OpSessionEndingService } from '../../sessions/op-session-ending.service';
import { OP_SESSION_COOKIE, OpSessionsService } from '../../sessions/op-sessions.service';
import { readForm } from '../form';
import { cspSourceOf, logoutConfirmationPage, logoutErrorPage, logoutPageHeaders, signedOutPage } from '../logout-pages';
import { endpointUrl } from './endpoints';

/**
 * The end_session_endpoint (OpenID Connect RP-Initiated Logout 1.0), GET or POST (form
 * serialization). A logout the request proves (an id_token_hint of the browser's user and OP
 * session) happens at once; any other is confirmed by the user on a page first (§2). Logging
 * out ends the OP session and every other one on its login session, tells the authentication
 * service to end the login session (`session.ended`), queues back-channel logout, renders the
 * front-channel iframes (Front-Channel Logout 1.0), then sends the browser to the verified
 * post_logout_redirect_uri with `state`, or shows a signed-out page. An invalid request (§4)
 * gets an error page, never a redirect.
 */
@Controller('oauth2/logout')
export class EndSessionController {
  private readonly secureCookies: boolean;

  constructor(
    private readonly requests: EndSessionRequestService,
    private readonly confirmations: LogoutConfirmationsService,
    private readonly sessions: OpSessionsService,
    private readonly ending: OpSessionEndingService,
    private readonly frontChannel: FrontChannelLogoutService,
    @Inject(TOKEN_SERVICE_CONFIG) private readonly config: TokenServiceConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.secureCookies = config.issuer.startsWith('https:');
  }

  @Get()
  get(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.request(new URLSearchParams(req.url.split('?')[1] ?? ''), 'GET', req, reply);
  }

  @Post()
  post(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    if (!(req.body instanceof URLSearchParams)) {
      return this.fail(reply, req, new InvalidRequestError('Send the logout request as application/x-www-form-urlencoded.'));
    }
    // The confirmation page posts back here with its one-time value; a client never sends it.
    if (req.body.has(LOGOUT_CONFIRMATION_FIELD)) return this.confirm(req.body, req, reply);
    return this.request(req.body, 'POST', req, reply);
  }

  private async request(params: URLSearchParams, method: 'GET' | 'POST', req: FastifyRequest, reply: FastifyReply) {
    try {
      const request = await this.requests.validate(params);
      const cookie = req.cookies[OP_SESSION_COOKIE];
      const session = await this.sessions.fromCookie(cookie);
      if (!session) {
        // A form POSTed from the client's site does not carry the SameSite=Lax session cookie:
        // the session may be there unseen. The user's answer, posted from our own page, has it.
        if (method === 'POST' && cookie === undefined) return await this.ask(reply, request, undefined);
        // Nothing to end: logging out is idempotent (§4), and a verified redirect still happens.
        this.clearSessionCookie(reply, cookie);
        return await this.finish(reply, request, [], true);
      }
      if (this.requests.mustAsk(request, session)) return await this.ask(reply, request, session.sid);
      const ended = await this.ending.logout(session);
      this.clearSessionCookie(reply, cookie);
      return await this.finish(reply, request, ended, true);
    } catch (err) {
      this.fail(reply, req, toOAuthError(err));
    }
  }

  /** The user's answer on the confirmation page. */
  private async confirm(body: URLSearchParams, req: FastifyRequest, reply: FastifyReply) {
    try {
      const form = readForm(body);
      const value = form.one[LOGOUT_CONFIRMATION_FIELD];
      const confirmation = await this.confirmations.consume(value, req.cookies);
      void reply.clearCookie(logoutCookieName(value), { path: '/' });
      const request = await this.requests.recheck(confirmation.request);
      if (form.one['logout'] !== 'yes') return await this.finish(reply, request, [], false);
      const cookie = req.cookies[OP_SESSION_COOKIE];
      const session = await this.sessions.fromCookie(cookie);
      let ended: EndedOpSession[] = [];
      if (session) {
        // The user answered about the session they were shown; a new sign-in since is not it.
        if (confirmation.sid !== undefined && session.sid !== confirmation.sid) {
          throw new InvalidRequestError('You signed in again after this sign-out was asked. Sign out again from the application.');
        }
        ended = await this.ending.logout(session);
      }
      this.clearSessionCookie(reply, cookie);
      return await this.finish(reply, request, ended, true);
    } catch (err) {
      this.fail(reply, req, toOAuthError(err));
    }
  }

  /** RP-Initiated Logout §2: the OP asks the user, on a page whose form only this browser can answer. */
  private async ask(reply: FastifyReply, request: EndSessionRequest, sid: string | undefined) {
    const issued = await this.confirmations.create(request, sid);
    void reply.setCookie(issued.cookieName, issued.verifier, {
      path: '/',
      httpOnly: true,
      sameSite: 'strict',
      secure: this.secureCookies,
      maxAge: issued.maxAge,
    });
    const target = request.postLogoutRedirectUri;
    void reply
      .code(200)
      .headers(logoutPageHeaders({ formTargets: target ? [cspSourceOf(target)] : [] }))
      .header('content-type', 'text/html; charset=utf-8')
      .send(
        logoutConfirmationPage({
          action: endpointUrl(this.config.issuer, 'logout'),
          field: LOGOUT_CONFIRMATION_FIELD,
          value: issued.value,
          clientName: request.client?.clientName,
        }),
      );
  }

  /**
   * The front-channel iframes of the ended sessions' clients, if any, then the post-logout
   * redirection (§3: only to the URI verified for the client, with `state` as sent).
   */
  private async finish(reply: FastifyReply, request: ValidatedLogoutRequest, ended: readonly EndedOpSession[], signedOut: boolean) {
    const uri = request.postLogoutRedirectUri;
    const redirectTo = uri === undefined ? undefined : appendQuery(uri, request.state !== undefined ? { state: request.state } : {});
    const frames = await this.frontChannel.iframeUrls(ended);
    if (redirectTo && frames.length === 0) {
      void reply.code(303).header('location', redirectTo).header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').send();
      return;
    }
    void reply
      .code(200)
      .headers(logoutPageHeaders({ frameOrigins: frames.map(cspSourceOf) }))
      .header('content-type', 'text/html; charset=utf-8')
      .send(signedOutPage({ frames, redirectTo, signedOut }));
  }

  private clearSessionCookie(reply: FastifyReply, cookie: string | undefined) {
    if (cookie !== undefined) void reply.clearCookie(OP_SESSION_COOKIE, { path: '/' });
  }

  private fail(reply: FastifyReply, req: FastifyRequest, err: OAuthError) {
    // The path only: the query holds the id_token_hint, state and a logout_hint (personal data).
    const log = { req: { id: req.id, method: req.method, url: req.url.split('?')[0] }, error: err.code, detail: err.detail };
    if (err.status >= 500) this.logger.error({ ...log, err: err.cause ?? err }, 'logout failed');
    else this.logger.info(log, 'logout refused');
    void reply
      .code(err.status >= 500 ? 500 : 400)
      .headers(logoutPageHeaders())
      .header('content-type', 'text/html; charset=utf-8')
      .send(logoutErrorPage(err.code, err.status >= 500 ? 'Something went wrong on our side. Try again later.' : err.description));
  }
}
