import { Controller, HttpCode, Post, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { LoginFlowService, type LoginStep } from '../flows/login-flow.service';
import { CsrfGuard } from '../http/csrf.guard';
import { FlowErrorFilter } from '../http/flow-error.filter';
import { noStore } from '../http/no-store';
import { MFA_STRATEGY } from './code-authentication';
import { EmailCodesService } from './email-codes.service';
import { PendingSecondFactors, type SecondFactorAuthentication } from './pending-second-factor';

type SecondFactorRequest = FastifyRequest & { user: SecondFactorAuthentication };

/**
 * The second-factor steps of the login flow API, on the browser's login session (after a
 * password, or signed in already and asked for MFA by the client):
 *   POST /auth/login/mfa/totp             { login_challenge, code }
 *   POST /auth/login/mfa/recovery-code    { login_challenge, code }
 *   POST /auth/login/mfa/email-code/send  { login_challenge }  → { sent_to, expires_in }
 *   POST /auth/login/mfa/email-code       { login_challenge, code }
 * Each needs the CSRF header; a code step answers `{ redirect_to }` like the password step.
 * A wrong code answers `invalid_credentials` (with `attempts_remaining`); the fifth ends the
 * login session (`login_required`).
 */
@Controller('auth/login/mfa')
@UseFilters(FlowErrorFilter)
export class MfaLoginController {
  constructor(
    private readonly flow: LoginFlowService,
    private readonly pending: PendingSecondFactors,
    private readonly emailCodes: EmailCodesService,
  ) {}

  @Post('totp')
  @HttpCode(200)
  @UseGuards(CsrfGuard, AuthGuard(MFA_STRATEGY.totp))
  totp(@Req() req: SecondFactorRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<LoginStep> {
    return this.complete(req, reply);
  }

  @Post('recovery-code')
  @HttpCode(200)
  @UseGuards(CsrfGuard, AuthGuard(MFA_STRATEGY.recoveryCode))
  recoveryCode(@Req() req: SecondFactorRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<LoginStep> {
    return this.complete(req, reply);
  }

  @Post('email-code/send')
  @HttpCode(200)
  @UseGuards(CsrfGuard)
  async sendEmailCode(@Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    noStore(reply);
    const { session, user } = await this.pending.of(req);
    const { expires_in } = await this.emailCodes.send(session, user);
    return { sent_to: maskEmail(user.email as string), expires_in };
  }

  @Post('email-code')
  @HttpCode(200)
  @UseGuards(CsrfGuard, AuthGuard(MFA_STRATEGY.emailCode))
  emailCode(@Req() req: SecondFactorRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<LoginStep> {
    return this.complete(req, reply);
  }

  /** The core elevates the session (adds `mfa`, new cookie secret) and accepts the challenge. */
  private complete(req: SecondFactorRequest, reply: FastifyReply): Promise<LoginStep> {
    noStore(reply);
    const { challenge, session, amr } = req.user;
    return this.flow.secondFactor(req, reply, challenge, session, amr);
  }
}

/** Enough of the address for the person to recognise it, not enough to learn it: `a•••@example.com`. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  const local = email.slice(0, at);
  return `${local.slice(0, 1)}•••@${email.slice(at + 1)}`;
}
