import { Controller, Get, HttpCode, Inject, Param, Post, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AUTH_SERVICE_CONFIG, type AuthServiceConfig } from '../config/auth-service-config';
import { LoginFlowService } from '../flows/login-flow.service';
import { CsrfGuard } from '../http/csrf.guard';
import { FlowError } from '../http/flow-error';
import { noStore } from '../http/no-store';
import { LoginSessionsService } from '../sessions/login-sessions.service';
import type { ChallengeView } from '../token-service/token-service.client';
import { UpstreamAuthRequests } from './upstream-auth-requests';
import { UpstreamIdpsService } from './upstream-idps.service';
import { UpstreamOidcClient } from './upstream-oidc-client';
import { UpstreamPendingLinks } from './upstream-pending-links';
import { UpstreamFlowErrorFilter, UpstreamRedirect } from './upstream-redirect';
import { UpstreamSignInService } from './upstream-sign-in.service';
import { AMR_FEDERATED, returnPage, UPSTREAM_STRATEGY, type UpstreamAuthentication } from './upstream.strategy';
import { upstreamUrls } from './upstream-urls';

/**
 * Signing in with an upstream OpenID provider (browser navigations, and the portal's calls):
 *   GET  /auth/upstream/{id}/start?login_challenge=…   302 to the provider
 *   GET  /auth/upstream/{id}/callback?code=…&state=…&iss=…   302 on: to the client (through the
 *        token service), to `/login?login_challenge=…&link=required` when the person must prove
 *        they own the local account with this email address, to `…&next=second_factor` when the
 *        account needs a second factor, or with `upstream_error=<code>` when it failed
 *   GET  /auth/upstream/link            the pending link of this browser (what to show)
 *   POST /auth/upstream/link/confirm    links it, once the person signed in to that account (CSRF)
 *   POST /auth/upstream/link/cancel     forgets it (CSRF)
 * Links started from the account page (`POST /auth/account/links/{id}`) come back to the same
 * callback and then to `/account?linked={id}` (or `upstream_error=<code>`).
 */
@Controller('auth/upstream')
@UseFilters(UpstreamFlowErrorFilter)
export class UpstreamFlowController {
  constructor(
    private readonly idps: UpstreamIdpsService,
    private readonly client: UpstreamOidcClient,
    private readonly requests: UpstreamAuthRequests,
    private readonly signIns: UpstreamSignInService,
    private readonly pendingLinks: UpstreamPendingLinks,
    private readonly flow: LoginFlowService,
    private readonly sessions: LoginSessionsService,
    @Inject(AUTH_SERVICE_CONFIG) private readonly config: AuthServiceConfig,
  ) {}

  @Get(':id/start')
  async start(@Param('id') id: string, @Query('login_challenge') challengeValue: unknown, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    noStore(reply);
    const idp = await this.idps.requireEnabled(id);
    const challenge = await this.flow.loginChallenge(challengeValue);
    // The token service checks the binding at acceptance; refusing here spares a trip upstream.
    if (!req.cookies[challenge.binding_cookie]) throw new FlowError('forbidden', 'This sign-in was started in another browser; start it again here.');
    const freshness = freshnessOf(challenge);
    const checks = this.requests.newChecks(freshness.maxAge);
    let location: string;
    try {
      location = await this.client.authorizationUrl(idp, checks, freshness.prompt ? { prompt: freshness.prompt } : {});
    } catch (err) {
      throw UpstreamRedirect.from(err, (params) => upstreamUrls(this.config.issuer).loginPage(challenge.challenge, params));
    }
    await this.requests.create(req, reply, { idpId: idp.id, purpose: 'login', loginChallenge: challenge.challenge }, checks);
    void reply.code(302).header('location', location).send();
  }

  @Get(':id/callback')
  @UseGuards(AuthGuard(UPSTREAM_STRATEGY))
  async callback(@Req() req: FastifyRequest & { user: UpstreamAuthentication }, @Res() reply: FastifyReply) {
    noStore(reply);
    let location: string;
    try {
      location = req.user.request.purpose === 'link' ? await this.linkToAccount(req, req.user) : await this.signIn(req, reply, req.user);
    } catch (err) {
      throw UpstreamRedirect.from(err, returnPage(this.config.issuer, req.user.request));
    }
    void reply.code(302).header('location', location).send();
  }

  @Get('link')
  async pending(@Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    noStore(reply);
    const found = await this.pendingLinks.current(req);
    if (!found) throw new FlowError('not_found', 'No account link is waiting in this browser.');
    return { idp: { id: found.idp.id, name: found.idp.displayName }, email: found.pending.email, expires_at: found.pending.expiresAt };
  }

  @Post('link/confirm')
  @HttpCode(200)
  @UseGuards(CsrfGuard)
  async confirm(@Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    noStore(reply);
    const { link, idp } = await this.pendingLinks.confirm(req, reply);
    return { linked: { id: link.id, idp: { id: idp.id, name: idp.displayName }, email: link.email, created_at: link.createdAt } };
  }

  @Post('link/cancel')
  @HttpCode(204)
  @UseGuards(CsrfGuard)
  async cancel(@Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    noStore(reply);
    await this.pendingLinks.cancel(req, reply);
  }

  /** A login: the linked or new user signs in (`amr: fed`), or the person must prove the account is theirs. */
  private async signIn(req: FastifyRequest, reply: FastifyReply, { request, idp, identity }: UpstreamAuthentication): Promise<string> {
    const challenge = await this.flow.loginChallenge(request.loginChallenge);
    const outcome = await this.signIns.signIn(reply, idp, identity);
    const urls = upstreamUrls(this.config.issuer);
    if (outcome.kind === 'link_required') return urls.loginPage(challenge.challenge, { link: 'required' });
    // The login happened when the person authenticated at the provider, not when it answered us.
    const step = await this.flow.firstFactor(req, reply, challenge, { user: outcome.user, amr: [AMR_FEDERATED], authTime: identity.authTime }, false);
    return 'redirect_to' in step ? step.redirect_to : urls.loginPage(challenge.challenge, { next: 'second_factor' });
  }

  /** A link the signed-in user started from the account page: still their session in this browser. */
  private async linkToAccount(req: FastifyRequest, { request, idp, identity }: UpstreamAuthentication): Promise<string> {
    const session = await this.sessions.authenticated(req);
    if (!request.sub || session?.sub !== request.sub) {
      throw new FlowError('login_required', 'The account that started this link is no longer signed in here; sign in and link again.');
    }
    await this.signIns.linkToAccount(request.sub, idp, identity);
    return upstreamUrls(this.config.issuer).accountPage({ linked: idp.id });
  }
}

/**
 * What the client demands of the authentication's age, to demand of the provider in turn (the
 * login session, and so the client's ID token, takes its `auth_time` from the provider's):
 * `prompt=login` or `max_age=0` (a login now: `prompt=login`, and `max_age=0` so that the ID
 * token must show when it happened), or `max_age=N`.
 */
export function freshnessOf(challenge: Pick<ChallengeView, 'prompt' | 'max_age'>): { prompt?: 'login'; maxAge?: number } {
  if (challenge.prompt?.includes('login') || challenge.max_age === 0) return { prompt: 'login', maxAge: 0 };
  return challenge.max_age === undefined ? {} : { maxAge: challenge.max_age };
}
