import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AUTH_SERVICE_CONFIG, type AuthServiceConfig } from '../config/auth-service-config';
import { ensureCsrfToken } from './csrf.guard';
import { noStore } from './no-store';

/** `GET /auth/csrf`: the browser's CSRF token (also set as the `tessera_csrf` cookie). */
@Controller('auth/csrf')
export class CsrfController {
  constructor(@Inject(AUTH_SERVICE_CONFIG) private readonly config: AuthServiceConfig) {}

  @Get()
  token(@Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    noStore(reply);
    return { csrf_token: ensureCsrfToken(req, reply, this.config.secureCookies) };
  }
}
