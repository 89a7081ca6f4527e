import { Body, Controller, HttpCode, Post, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Authentication } from '../authenticators/authentication';
import { LoginFlowService, type LoginStep } from '../flows/login-flow.service';
import { CsrfGuard } from '../http/csrf.guard';
import { FlowError } from '../http/flow-error';
import { FlowErrorFilter } from '../http/flow-error.filter';
import { noStore } from '../http/no-store';
import { PendingSecondFactors, type SecondFactorAuthentication } from '../mfa/pending-second-factor';
import { PasskeyChallenges } from './passkey-challenges';
import { PASSKEY_STRATEGY } from './passkey.strategies';
import { PasskeysService } from './passkeys.service';
import { RelyingParty } from './relying-party';

type Body = Record<string, unknown> | undefined;
type AuthenticatedRequest = FastifyRequest & { user: Authentication };
type SecondFactorRequest = FastifyRequest & { user: SecondFactorAuthentication };

/**
 * Passkeys in the login flow (each POST needs the CSRF header):
 *   POST /auth/login/passkey/options       { login_challenge }: options for navigator.credentials.get()
 *   POST /auth/login/passkey               { login_challenge, response, remember }: passwordless login
 *   POST /auth/login/mfa/passkey/options   { login_challenge }: the session user's passkeys
 *   POST /auth/login/mfa/passkey           { login_challenge, response }: the second factor (or a step-up)
 * The options answers are WebAuthn's PublicKeyCredentialRequestOptionsJSON; the others
 * `{ redirect_to }` or `{ next: 'second_factor', factors }` like every login step.
 */
@Controller('auth/login')
@UseFilters(FlowErrorFilter)
export class PasskeyLoginController {
  constructor(
    private readonly flow: LoginFlowService,
    private readonly pending: PendingSecondFactors,
    private readonly challenges: PasskeyChallenges,
    private readonly passkeys: PasskeysService,
    private readonly rp: RelyingParty,
  ) {}

  @Post('passkey/options')
  @HttpCode(200)
  @UseGuards(CsrfGuard)
  async loginOptions(@Body() body: Body, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    noStore(reply);
    const challenge = await this.flow.loginChallenge(body?.['login_challenge']);
    const issued = await this.challenges.issue(req, reply, 'login', { loginChallenge: challenge.challenge });
    return this.rp.authenticationOptions({ challenge: issued, userVerification: 'required' });
  }

  @Post('passkey')
  @HttpCode(200)
  @UseGuards(CsrfGuard, AuthGuard(PASSKEY_STRATEGY.login))
  async login(@Body() body: Body, @Req() req: AuthenticatedRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    noStore(reply);
    const challenge = await this.flow.loginChallenge(body?.['login_challenge']);
    return this.flow.firstFactor(req, reply, challenge, req.user, rememberOf(body));
  }

  @Post('mfa/passkey/options')
  @HttpCode(200)
  @UseGuards(CsrfGuard)
  async secondFactorOptions(@Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    noStore(reply);
    // The same login as the answer will need (fresh enough, or a step-up the challenge allows):
    // no ceremony is started for a login a passkey could not complete.
    const { session, challenge } = await this.pending.of(req);
    const passkeys = await this.passkeys.listOf(session.sub);
    if (!passkeys.length) throw new FlowError('invalid_request', 'This account has no passkey; use another factor.');
    const issued = await this.challenges.issue(req, reply, 'second_factor', { sub: session.sub, loginChallenge: challenge.challenge });
    // User presence is enough for a possession factor (like a TOTP app): the password, or the
    // signed-in session PendingSecondFactors allowed above, is the other factor.
    return this.rp.authenticationOptions({ challenge: issued, allow: passkeys, userVerification: 'preferred' });
  }

  @Post('mfa/passkey')
  @HttpCode(200)
  @UseGuards(CsrfGuard, AuthGuard(PASSKEY_STRATEGY.secondFactor))
  secondFactor(@Req() req: SecondFactorRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<LoginStep> {
    noStore(reply);
    // The strategy found the session and challenge through PendingSecondFactors; the core
    // elevates that session (its cookie secret guards against a concurrent change) and accepts.
    const { challenge, session, amr } = req.user;
    return this.flow.secondFactor(req, reply, challenge, session, amr);
  }
}

function rememberOf(body: Body): boolean {
  const remember = body?.['remember'];
  if (remember !== undefined && typeof remember !== 'boolean') throw new FlowError('invalid_request', 'remember must be true or false.');
  return remember === true;
}
