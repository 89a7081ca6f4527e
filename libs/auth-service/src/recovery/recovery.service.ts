import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { inTransaction } from '@tessera/events';
import { InjectLogger } from '@tessera/runtime';
import { AUTH_SERVICE_DATA_SOURCE } from '../auth-service.tokens';
import { AUTH_SERVICE_CONFIG, type AuthServiceConfig } from '../config/auth-service-config';
import { clientIp } from '@tessera/runtime';
import { FlowError } from '../http/flow-error';
import { MailRequests } from '../mail/mail-requests';
import { isMailable } from '../mail/mailable';
import { PasswordPolicy } from '../passwords/password-policy';
import { LoginSessionsService } from '../sessions/login-sessions.service';
import { MailQuota } from '../signup/mail-quota';
import { VerificationTokens } from '../signup/verification-tokens';
import { LoginThrottle } from '../throttle/login-throttle';
import { UsersService } from '../users/users.service';

/**
 * Password reset by mail.
 *
 * Asking (`requestReset`) answers at once and does the work afterwards: whether the address has
 * an account changes what is done (a lookup, a token, a mail) and so how long it takes, and the
 * caller must learn nothing from that. A reset link goes only to an active account, at most a
 * few per hour per account.
 *
 * Using the link (`reset`): the new password is checked against the policy before the link is
 * spent (a refused password does not burn it); then the link is used (once, atomically), the
 * password set (`password.changed` revokes the user's refresh tokens at the token service), and
 * then every login session of the user ends and every other outstanding link of theirs is spent.
 * The address is marked verified (the reset proved control of it) and the account's password
 * throttle starts over (a lock caused by someone guessing no longer stands in the owner's way).
 */
@Injectable()
export class RecoveryService implements OnModuleDestroy {
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly users: UsersService,
    private readonly policy: PasswordPolicy,
    private readonly tokens: VerificationTokens,
    private readonly quota: MailQuota,
    private readonly mail: MailRequests,
    private readonly sessions: LoginSessionsService,
    private readonly throttle: LoginThrottle,
    @Inject(AUTH_SERVICE_DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(AUTH_SERVICE_CONFIG) private readonly config: AuthServiceConfig,
    @InjectLogger() private readonly logger: Logger,
  ) {}

  /** Starts sending a reset link to `email` if it has an account; returns before knowing. */
  requestReset(email: string): void {
    const work = this.sendResetLink(email)
      .catch((err: unknown) => this.logger.error({ err }, 'sending a password reset link failed'))
      .finally(() => this.inFlight.delete(work));
    this.inFlight.add(work);
  }

  async reset(req: FastifyRequest, token: unknown, newPassword: unknown): Promise<void> {
    const link = await this.tokens.peek(token, ['reset_password']);
    const user = await this.users.find(link.sub);
    if (!user) throw new FlowError('invalid_link', 'This link is not valid any more: its account is gone.', { reason: 'unknown' });
    if (user.status !== 'active') throw new FlowError('forbidden', `This account is ${user.status}. Contact the administrator.`);
    this.policy.check(newPassword, { email: user.email });
    await this.tokens.consume(token, ['reset_password']);
    await this.users.setPassword(user.sub, newPassword);
    await inTransaction(this.dataSource, async (manager) => {
      await this.tokens.revokeAllOf(manager, user.sub);
      if (user.email === link.email && !user.emailVerified) await this.users.setEmail(user.sub, link.email, true, manager);
      await this.sessions.endAllOf(user.sub, undefined, manager);
    });
    if (user.email) await this.throttle.succeeded({ account: user.email, sub: user.sub, ip: clientIp(req, this.config.trustedProxies) });
  }

  /** Lets the links being sent finish before the database closes. */
  async onModuleDestroy(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  private async sendResetLink(email: string): Promise<void> {
    const user = await this.users.findByEmail(email);
    if (!user || user.status !== 'active' || !user.email || !isMailable(user.email)) return;
    const { allowed } = await this.quota.take('reset', user.sub);
    if (!allowed) {
      this.logger.info({ sub: user.sub }, 'password reset link not sent: the hourly quota of this account is spent');
      return;
    }
    const to = user.email;
    await inTransaction(this.dataSource, async (manager) => {
      const token = await this.tokens.issue(manager, { purpose: 'reset_password', sub: user.sub, email: to });
      await this.mail.request(manager, { to, template: 'reset-password', secrets: { token } });
    });
  }
}
