import { Body, Controller, HttpCode, Post, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CsrfGuard } from '../http/csrf.guard';
import { FlowError } from '../http/flow-error';
import { FlowErrorFilter } from '../http/flow-error.filter';
import { noStore } from '../http/no-store';
import { normalizeEmail } from '../users/email';
import { RecoveryService } from './recovery.service';

type Body = Record<string, unknown> | undefined;

/**
 * The password reset flow API (both need the CSRF header):
 *   POST /auth/recovery        { email } → 202 { next: 'check_email' }, whether or not it has an account
 *   POST /auth/recovery/reset  { token, new_password } → { next: 'sign_in' }; `invalid_link` (with
 *                              `reason`: unknown, used, expired) or `weak_password` otherwise
 */
@Controller('auth/recovery')
@UseFilters(FlowErrorFilter)
export class RecoveryController {
  constructor(private readonly recovery: RecoveryService) {}

  @Post()
  @HttpCode(202)
  @UseGuards(CsrfGuard)
  request(@Body() body: Body, @Res({ passthrough: true }) reply: FastifyReply) {
    noStore(reply);
    if (body?.['email'] === undefined) throw new FlowError('invalid_request', 'email is required.');
    this.recovery.requestReset(normalizeEmail(body['email']));
    return { next: 'check_email' };
  }

  @Post('reset')
  @HttpCode(200)
  @UseGuards(CsrfGuard)
  async reset(@Body() body: Body, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    noStore(reply);
    if (body?.['new_password'] === undefined) throw new FlowError('invalid_request', 'new_password is required.');
    await this.recovery.reset(req, body['token'], body['new_password']);
    return { next: 'sign_in' };
  }
}
