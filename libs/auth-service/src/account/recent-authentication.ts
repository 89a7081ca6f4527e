import { Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AUTH_CLOCK, nowSeconds, type Clock } from '../auth-service.tokens';
import { PasswordStrategy } from '../authenticators/password.strategy';
import { AUTH_SERVICE_CONFIG, type AuthServiceConfig } from '../config/auth-service-config';
import { FlowError } from '../http/flow-error';
import { LoginSessionsService } from '../sessions/login-sessions.service';
import { UsersService } from '../users/users.service';

/**
 * Sensitive account changes (password, email, removing a factor or passkey, unlinking,
 * deletion) need proof that the person at the keyboard is the account's owner now: a sign-in in
 * this browser within the last 5 minutes, or the current password in the request. Otherwise
 * the answer is `reauthentication_required` with `max_age`, and the portal steps up with an
 * authorization request carrying that `max_age`.
 */
@Injectable()
export class RecentAuthentication {
  constructor(
    private readonly sessions: LoginSessionsService,
    private readonly users: UsersService,
    private readonly password: PasswordStrategy,
    @Inject(AUTH_CLOCK) private readonly clock: Clock,
    @Inject(AUTH_SERVICE_CONFIG) private readonly config: AuthServiceConfig,
  ) {}

  async require(req: FastifyRequest, sub: string, currentPassword?: unknown): Promise<void> {
    if (currentPassword !== undefined) {
      if (typeof currentPassword !== 'string' || !currentPassword) throw new FlowError('invalid_request', 'current_password must be a string.');
      const user = await this.users.require(sub);
      if (!user.email || !user.passwordHash) throw new FlowError('invalid_request', 'This account has no password; sign in again instead.');
      // Through the login's own check: the same throttling applies to a guessed current password.
      await this.password.check(req, user.email, currentPassword);
      return;
    }
    const session = await this.sessions.authenticated(req);
    if (session && session.sub === sub && nowSeconds(this.clock) - session.authTime <= this.config.recentAuthWindow) return;
    throw new FlowError('reauthentication_required', 'Confirm it is you: sign in again, or send current_password.', { max_age: this.config.recentAuthWindow });
  }
}
