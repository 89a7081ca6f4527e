import { Body, Controller, Get, HttpCode, Inject, Post, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AUTH_SERVICE_CONFIG, type AuthServiceConfig } from '../config/auth-service-config';
import { CsrfGuard, ensureCsrfToken } from '../http/csrf.guard';
import { FlowError } from '../http/flow-error';
import { FlowErrorFilter } from '../http/flow-error.filter';
import { noStore } from '../http/no-store';
import { LoginSessionsService } from '../sessions/login-sessions.service';
import { TokenServiceClient, type ChallengeView, MAX_CHALLENGE_VALUE_LENGTH } from '../token-service/token-service.client';

type Body = Record<string, unknown>;

/**
 * The consent flow API the portal's /consent page drives:
 *   GET  /auth/consent?consent_challenge=…  the client, each requested scope with what it means,
 *                                            which ones the client requires and which are optional
 *   POST /auth/consent/accept                { consent_challenge, grant_scope: [...], remember }
 *   POST /auth/consent/reject                { consent_challenge }
 * Only the person the consent is for, signed in in this browser, can answer it.
 */
@Controller('auth/consent')
@UseFilters(FlowErrorFilter)
export class ConsentController {
  constructor(
    private readonly tokenService: TokenServiceClient,
    private readonly sessions: LoginSessionsService,
    @Inject(AUTH_SERVICE_CONFIG) private readonly config: AuthServiceConfig,
  ) {}

  @Get()
  async view(@Query('consent_challenge') value: unknown, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    noStore(reply);
    const challenge = await this.consentFor(req, value);
    const required = new Set(challenge.required_scope ?? []);
    return {
      consent_challenge: challenge.challenge,
      client: challenge.client,
      requested_scope: challenge.requested_scope,
      scope_details: challenge.scope_details,
      required_scope: challenge.requested_scope.filter((s) => required.has(s)),
      optional_scope: challenge.requested_scope.filter((s) => !required.has(s)),
      requested_claims: challenge.requested_claims,
      requested_resource: challenge.requested_resource,
      ui_locales: challenge.ui_locales,
      subject: challenge.subject,
      csrf_token: ensureCsrfToken(req, reply, this.config.secureCookies),
    };
  }

  @Post('accept')
  @HttpCode(200)
  @UseGuards(CsrfGuard)
  async accept(@Body() body: Body, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    noStore(reply);
    const challenge = await this.consentFor(req, body?.['consent_challenge']);
    const { grant_scope, remember } = body;
    if (!Array.isArray(grant_scope) || !grant_scope.every((s) => typeof s === 'string')) {
      throw new FlowError('invalid_request', 'grant_scope must be an array of the scopes the user agreed to.');
    }
    if (remember !== undefined && typeof remember !== 'boolean') throw new FlowError('invalid_request', 'remember must be true or false.');
    return this.tokenService.accept(challenge.challenge, req.cookies[challenge.binding_cookie], { grant_scope, remember: remember === true });
  }

  @Post('reject')
  @HttpCode(200)
  @UseGuards(CsrfGuard)
  async reject(@Body() body: Body, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    noStore(reply);
    const challenge = await this.consentFor(req, body?.['consent_challenge']);
    return this.tokenService.reject(challenge.challenge, req.cookies[challenge.binding_cookie], 'access_denied', 'The user declined the request.');
  }

  /** The consent challenge, if the signed-in user in this browser is the one it asks. */
  private async consentFor(req: FastifyRequest, value: unknown): Promise<ChallengeView> {
    if (typeof value !== 'string' || !value || value.length > MAX_CHALLENGE_VALUE_LENGTH) throw new FlowError('invalid_request', 'consent_challenge is required.');
    const challenge = await this.tokenService.readChallenge(value);
    if (challenge.kind !== 'consent') throw new FlowError('invalid_request', 'This is not a consent challenge.');
    const session = await this.sessions.authenticated(req);
    if (!session) throw new FlowError('login_required', 'Sign in first: consent is given by the signed-in user.');
    if (session.sub !== challenge.subject) throw new FlowError('forbidden', 'This consent request is for another user.');
    return challenge;
  }
}
