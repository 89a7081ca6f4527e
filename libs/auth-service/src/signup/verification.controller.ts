import { Body, Controller, HttpCode, Post, Res, UseFilters, UseGuards } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { CsrfGuard } from '../http/csrf.guard';
import { FlowErrorFilter } from '../http/flow-error.filter';
import { noStore } from '../http/no-store';
import { EmailVerificationService } from './email-verification.service';

/**
 * `POST /auth/verify-email { token }` (CSRF): the portal's /verify-email page sends the token of
 * the mailed link. Answers `{ email, email_verified: true, email_changed }`, or `invalid_link`
 * with `reason` (`unknown`, `used`, `expired`, `stale`).
 */
@Controller('auth/verify-email')
@UseFilters(FlowErrorFilter)
export class VerificationController {
  constructor(private readonly verification: EmailVerificationService) {}

  @Post()
  @HttpCode(200)
  @UseGuards(CsrfGuard)
  async verify(@Body() body: Record<string, unknown> | undefined, @Res({ passthrough: true }) reply: FastifyReply) {
    noStore(reply);
    const { email, changed } = await this.verification.verify(body?.['token']);
    return { email, email_verified: true, email_changed: changed };
  }
}
