import { Controller, HttpCode, Post, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CsrfGuard } from '../http/csrf.guard';
import { FlowErrorFilter } from '../http/flow-error.filter';
import { noStore } from '../http/no-store';
import { LoginSessionsService, SESSION_COOKIE } from '../sessions/login-sessions.service';

/**
 * `POST /auth/logout`: the portal's "sign out". Ends this browser's login session; its
 * `session.ended` event makes the token service end every OP session built on it (and notify
 * the clients). Answers 204 whether or not a session existed (signing out twice is fine).
 */
@Controller('auth/logout')
@UseFilters(FlowErrorFilter)
export class LogoutController {
  constructor(private readonly sessions: LoginSessionsService) {}

  @Post()
  @HttpCode(204)
  @UseGuards(CsrfGuard)
  async logout(@Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    noStore(reply);
    const session = await this.sessions.fromRequest(req);
    if (session) await this.sessions.end(reply, session);
    else void reply.clearCookie(SESSION_COOKIE, { path: '/' });
  }
}
