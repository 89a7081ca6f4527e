import { Body, Controller, Get, HttpCode, Inject, Post, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AUTH_SERVICE_CONFIG, type AuthServiceConfig } from '../config/auth-service-config';
import { LoginFlowService } from '../flows/login-flow.service';
import { CsrfGuard } from '../http/csrf.guard';
import { FlowError } from '../http/flow-error';
import { FlowErrorFilter } from '../http/flow-error.filter';
import { noStore } from '../http/no-store';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../passwords/password-policy';
import { SignupService } from './signup.service';
import { TOKEN_TTL } from './verification-tokens';

type Body = Record<string, unknown> | undefined;

/** The browser's pending sign-in after a sign-up with a login challenge (see SignupService). */
export const SIGNUP_COOKIE = 'tessera_signup';
const SIGNUP_COOKIE_PATH = '/auth/signup';

/** Every sign-up answers this, whether or not the address had an account. */
const VERIFY_EMAIL = { next: 'verify_email' } as const;

/**
 * The sign-up flow API the portal drives (off with TESSERA_SIGNUP=off):
 *   GET  /auth/signup           { enabled, min_password_length, max_password_length }: what to offer
 *   POST /auth/signup           { email, password, claims?, login_challenge? } → 202 { next: 'verify_email' }
 *   POST /auth/signup/continue  { login_challenge } → { next: 'verify_email' } until the address is
 *                               verified, then the login step ({ redirect_to } or a second factor)
 * The POSTs need the CSRF header. No answer tells whether the address had an account.
 */
@Controller('auth/signup')
@UseFilters(FlowErrorFilter)
export class SignupController {
  constructor(
    private readonly signup: SignupService,
    private readonly flow: LoginFlowService,
    @Inject(AUTH_SERVICE_CONFIG) private readonly config: AuthServiceConfig,
  ) {}

  @Get()
  options(@Res({ passthrough: true }) reply: FastifyReply) {
    noStore(reply);
    return { enabled: this.config.signup, min_password_length: MIN_PASSWORD_LENGTH, max_password_length: MAX_PASSWORD_LENGTH };
  }

  @Post()
  @HttpCode(202)
  @UseGuards(CsrfGuard)
  async signUp(@Body() body: Body, @Res({ passthrough: true }) reply: FastifyReply) {
    noStore(reply);
    if (!this.config.signup) throw new FlowError('signup_disabled', 'Sign-up is turned off here; ask your administrator for an account.');
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new FlowError('invalid_request', 'The body must be a JSON object.');
    // A challenge that does not exist is refused before anything happens, whatever the address.
    const challenge = body['login_challenge'] === undefined ? undefined : await this.flow.loginChallenge(body['login_challenge']);
    const pending = await this.signup.signUp({ email: body['email'], password: body['password'], claims: body['claims'] }, challenge !== undefined);
    if (pending) {
      void reply.setCookie(SIGNUP_COOKIE, pending, {
        path: SIGNUP_COOKIE_PATH,
        httpOnly: true,
        sameSite: 'strict',
        secure: this.config.secureCookies,
        maxAge: TOKEN_TTL.signup_signin,
      });
    }
    return VERIFY_EMAIL;
  }

  @Post('continue')
  @HttpCode(200)
  @UseGuards(CsrfGuard)
  async continue(@Body() body: Body, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    noStore(reply);
    const challenge = await this.flow.loginChallenge(body?.['login_challenge']);
    const user = await this.signup.pendingSignIn(req.cookies[SIGNUP_COOKIE]);
    if (!user) return VERIFY_EMAIL;
    void reply.clearCookie(SIGNUP_COOKIE, { path: SIGNUP_COOKIE_PATH });
    // The password was proven in this browser at sign-up, and the address since: a first factor.
    return this.flow.firstFactor(req, reply, challenge, { user, amr: ['pwd'] }, false);
  }
}
