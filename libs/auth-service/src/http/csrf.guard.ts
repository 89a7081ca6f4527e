import { randomBytes, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AUTH_SERVICE_CONFIG, type AuthServiceConfig } from '../config/auth-service-config';
import { FlowError } from './flow-error';

export const CSRF_COOKIE = 'tessera_csrf';
export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * CSRF protection for every state-changing flow call (double-submit): the portal reads the
 * `tessera_csrf` cookie (SameSite=Strict, readable by the page) and echoes it in
 * `X-CSRF-Token`. Another site can neither read the cookie nor send a custom header without a
 * CORS preflight this origin never grants. A request that states its Origin must name ours.
 */
@Injectable()
export class CsrfGuard implements CanActivate {
  private readonly origin: string;

  constructor(@Inject(AUTH_SERVICE_CONFIG) config: AuthServiceConfig) {
    this.origin = new URL(config.issuer).origin;
  }

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<FastifyRequest>();
    if (SAFE_METHODS.has(req.method)) return true;
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== this.origin) {
      throw new FlowError('csrf_check_failed', 'This request came from another origin.', {}, `origin ${origin}`);
    }
    const cookie = req.cookies[CSRF_COOKIE] ?? '';
    const header = req.headers[CSRF_HEADER];
    const sent = Array.isArray(header) ? '' : (header ?? '');
    if (!cookie || !sent || cookie.length !== sent.length || !timingSafeEqual(Buffer.from(cookie), Buffer.from(sent))) {
      throw new FlowError('csrf_check_failed', `Send the value of the ${CSRF_COOKIE} cookie in the ${CSRF_HEADER} header (GET /auth/csrf sets one).`);
    }
    return true;
  }
}

/** The browser's CSRF token: the one it has, or a new one set as a cookie. */
export function ensureCsrfToken(req: FastifyRequest, reply: FastifyReply, secure: boolean): string {
  const existing = req.cookies[CSRF_COOKIE];
  if (existing && /^[A-Za-z0-9_-]{43}$/.test(existing)) return existing;
  const token = randomBytes(32).toString('base64url');
  void reply.setCookie(CSRF_COOKIE, token, { path: '/', sameSite: 'strict', secure, httpOnly: false });
  return token;
}
