import { Body, Controller, HttpCode, Post, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { AccountGuard, type AccountRequest } from '../account/account.guard';
import { RecentAuthentication } from '../account/recent-authentication';
import { FlowErrorFilter } from '../http/flow-error.filter';
import { noStore } from '../http/no-store';
import { EmailChangeService } from './email-change.service';

type Body = Record<string, unknown> | undefined;

/**
 * The account API's email part (bearer token with the `account` scope):
 *   POST /auth/account/email               { new_email, current_password? } → 202 { next: 'verify_email' }
 *                                          (a recent sign-in or the current password; the change
 *                                          applies when the link mailed to the new address is used)
 *   POST /auth/account/email/verification  → 202: a new verification link for the current address
 */
@Controller('auth/account/email')
@UseGuards(AccountGuard)
@UseFilters(FlowErrorFilter)
export class EmailChangeController {
  constructor(
    private readonly emailChange: EmailChangeService,
    private readonly recent: RecentAuthentication,
  ) {}

  @Post()
  @HttpCode(202)
  async change(@Body() body: Body, @Req() req: AccountRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    noStore(reply);
    const email = this.emailChange.parse(body?.['new_email']);
    await this.recent.require(req, req.account.sub, body?.['current_password']);
    await this.emailChange.request(req.account.sub, email);
    return { next: 'verify_email' };
  }

  @Post('verification')
  @HttpCode(202)
  async resend(@Req() req: AccountRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    noStore(reply);
    await this.emailChange.resendVerification(req.account.sub);
    return { next: 'verify_email' };
  }
}
