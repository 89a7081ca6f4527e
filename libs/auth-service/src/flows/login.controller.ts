import { Body, Controller, Get, HttpCode, Inject, Post, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { STRATEGY, type Authentication } from '../authenticators/authentication';
import { AUTH_SERVICE_CONFIG, type AuthServiceConfig } from '../config/auth-service-config';
import { CsrfGuard, ensureCsrfToken } from '../http/csrf.guard';
import { FlowError } from '../http/flow-error';
import { FlowErrorFilter } from '../http/flow-error.filter';
import { noStore } from '../http/no-store';
import { LoginSessionsService } from '../sessions/login-sessions.service';
import { UsersService } from '../users/users.service';
import { LoginFlowService } from './login-flow.service';
import { LoginMethods } from './login-methods';

type Body = Record<string, unknown>;

/**
 * The login flow API the portal's /login page drives:
 *   GET  /auth/login?login_challenge=…   what to show (client, hints, the signed-in user, methods)
 *   POST /auth/login/password            { login_challenge, email, password, remember }
 *   POST /auth/login/continue            { login_challenge }: as the user already signed in here
 *   POST /auth/login/reject              { login_challenge }: the user cancels
 * Each POST needs the CSRF header; each answers `{ redirect_to }` or `{ next: 'second_factor', factors }`.
 */
@Controller('auth/login')
@UseFilters(FlowErrorFilter)
export class LoginController {
  constructor(
    private readonly flow: LoginFlowService,
    private readonly sessions: LoginSessionsService,
    private readonly users: UsersService,
    private readonly methods: LoginMethods,
    @Inject(AUTH_SERVICE_CONFIG) private readonly config: AuthServiceConfig,
  ) {}

  @Get()
  async view(@Query('login_challenge') challengeValue: unknown, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    noStore(reply);
    const challenge = await this.flow.loginChallenge(challengeValue);
    const session = await this.sessions.authenticated(req);
    const user = session && (await this.users.find(session.sub));
    const verdict = this.flow.canContinue(challenge, session);
    // A sign-in half done (an upstream provider was the first factor): which second factors it can finish with.
    const pending = session ? null : await this.sessions.fromRequest(req);
    return {
      login_challenge: challenge.challenge,
      client: challenge.client,
      requested_scope: challenge.requested_scope,
      login_hint: challenge.login_hint,
      prompt: challenge.prompt,
      max_age: challenge.max_age,
      acr_values: challenge.acr_values,
      ui_locales: challenge.ui_locales,
      display: challenge.display,
      session: user ? { sub: user.sub, email: user.email, name: user.claims['name'], auth_time: session?.authTime } : null,
      can_continue: verdict.ok,
      second_factors: pending?.stage === 'second_factor' ? await this.flow.factorsFor(pending.sub) : undefined,
      methods: await this.methods.list(),
      signup_enabled: this.config.signup,
      csrf_token: ensureCsrfToken(req, reply, this.config.secureCookies),
    };
  }

  @Post('password')
  @HttpCode(200)
  @UseGuards(CsrfGuard, AuthGuard(STRATEGY.password))
  async password(@Body() body: Body, @Req() req: FastifyRequest & { user: Authentication }, @Res({ passthrough: true }) reply: FastifyReply) {
    noStore(reply);
    const challenge = await this.flow.loginChallenge(body['login_challenge']);
    return this.flow.firstFactor(req, reply, challenge, req.user, rememberOf(body));
  }

  @Post('continue')
  @HttpCode(200)
  @UseGuards(CsrfGuard, AuthGuard(STRATEGY.loginSession))
  async continue(@Body() body: Body, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    noStore(reply);
    const challenge = await this.flow.loginChallenge(body?.['login_challenge']);
    return this.flow.continueSession(req, reply, challenge, await this.sessions.authenticated(req));
  }

  @Post('reject')
  @HttpCode(200)
  @UseGuards(CsrfGuard)
  async reject(@Body() body: Body, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    noStore(reply);
    const challenge = await this.flow.loginChallenge(body?.['login_challenge']);
    return this.flow.reject(req, challenge);
  }
}

function rememberOf(body: Body): boolean {
  const remember = body['remember'];
  if (remember !== undefined && typeof remember !== 'boolean') throw new FlowError('invalid_request', 'remember must be true or false.');
  return remember === true;
}
