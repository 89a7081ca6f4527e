import { Body, Controller, Delete, Get, HttpCode, Post, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { AccountGuard, type AccountRequest } from '../account/account.guard';
import { RecentAuthentication } from '../account/recent-authentication';
import { FlowError } from '../http/flow-error';
import { FlowErrorFilter } from '../http/flow-error.filter';
import { noStore } from '../http/no-store';
import { UsersService } from '../users/users.service';
import { canReceiveEmailCodes } from './email-codes.service';
import { RecoveryCodesService } from './recovery-codes.service';
import { SecondFactors } from './second-factors';
import { TotpService } from './totp.service';

type Body = Record<string, unknown> | undefined;

/**
 * The MFA part of the account API (bearer token with the `account` scope):
 *   GET    /auth/account/mfa                   what is set up, recovery codes left, whether MFA is required
 *   POST   /auth/account/mfa/totp              { current_password? }: start setting up an authenticator app:
 *                                              secret, otpauth URI, QR code
 *   POST   /auth/account/mfa/totp/confirm      { code }: the app's first code finishes the set-up
 *   DELETE /auth/account/mfa/totp              { current_password? }
 *   POST   /auth/account/mfa/recovery-codes    { current_password? }: a new set of ten, shown once
 * Every change of a factor needs a recent sign-in in this browser or the current password:
 * adding one as much as removing one, since a factor the attacker holds (their authenticator
 * app, codes they minted) is a way into the account, so a stolen access token alone must not
 * add one. Confirming needs nothing more: it only finishes a set-up started under that rule.
 * Each change emits `mfa.changed` in its own transaction.
 */
@Controller('auth/account/mfa')
@UseGuards(AccountGuard)
@UseFilters(FlowErrorFilter)
export class MfaAccountController {
  constructor(
    private readonly totp: TotpService,
    private readonly recoveryCodes: RecoveryCodesService,
    private readonly factors: SecondFactors,
    private readonly users: UsersService,
    private readonly recent: RecentAuthentication,
  ) {}

  @Get()
  async overview(@Req() req: AccountRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    noStore(reply);
    const { sub } = req.account;
    const [user, totp, remaining, generatedAt, required] = await Promise.all([
      this.users.require(sub),
      this.totp.find(sub),
      this.recoveryCodes.remaining(sub),
      this.recoveryCodes.generatedAt(sub),
      this.factors.requiredFor(sub),
    ]);
    return {
      mfa_required: required,
      totp: { enrolled: totp?.confirmedAt != null, enrolled_at: totp?.confirmedAt ?? null, setup_pending: totp !== null && totp.confirmedAt === null },
      recovery_codes: { remaining, generated_at: generatedAt },
      email_code: { available: canReceiveEmailCodes(user) },
    };
  }

  @Post('totp')
  @HttpCode(200)
  async startTotp(@Body() body: Body, @Req() req: AccountRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    noStore(reply);
    await this.recent.require(req, req.account.sub, body?.['current_password']);
    return this.totp.startEnrollment(req.account.sub);
  }

  @Post('totp/confirm')
  @HttpCode(200)
  async confirmTotp(@Body() body: Body, @Req() req: AccountRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    noStore(reply);
    const code = body?.['code'];
    if (typeof code !== 'string' || !code.trim() || code.length > 64) throw new FlowError('invalid_request', 'code is required.');
    await this.totp.confirm(req.account.sub, code);
    return { enrolled: true };
  }

  @Delete('totp')
  @HttpCode(204)
  async removeTotp(@Body() body: Body, @Req() req: AccountRequest) {
    await this.recent.require(req, req.account.sub, body?.['current_password']);
    await this.totp.remove(req.account.sub);
  }

  @Post('recovery-codes')
  @HttpCode(200)
  async generateRecoveryCodes(@Body() body: Body, @Req() req: AccountRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    noStore(reply);
    const { sub } = req.account;
    // The first set is a second factor of its own, and a new set throws the old codes away
    // (maybe the ones written down): a sensitive change either way.
    await this.recent.require(req, sub, body?.['current_password']);
    return { codes: await this.recoveryCodes.generate(sub) };
  }
}
