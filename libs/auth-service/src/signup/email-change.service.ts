import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { inTransaction } from '@tessera/events';
import { AUTH_SERVICE_DATA_SOURCE } from '../auth-service.tokens';
import { FlowError } from '../http/flow-error';
import { MailRequests } from '../mail/mail-requests';
import { assertMailable } from '../mail/mailable';
import { normalizeEmail } from '../users/email';
import { UsersService } from '../users/users.service';
import { MailQuota } from './mail-quota';
import { VerificationTokens } from './verification-tokens';

/**
 * Email change with re-verification, from the account API (the caller has already proven a
 * recent authentication): a link goes to the new address, and nothing changes until it is used.
 * An address that belongs to another account gets the same answer and no mail, so the account
 * API cannot be used to find out who has an account. Every request counts towards a quota,
 * taken before the lookup so that the quota itself reveals nothing either.
 */
@Injectable()
export class EmailChangeService {
  constructor(
    private readonly users: UsersService,
    private readonly tokens: VerificationTokens,
    private readonly quota: MailQuota,
    private readonly mail: MailRequests,
    @Inject(AUTH_SERVICE_DATA_SOURCE) private readonly dataSource: DataSource,
  ) {}

  /** Checks the new address's form (before the caller's re-authentication is checked). */
  parse(newEmail: unknown): string {
    if (newEmail === undefined) throw new FlowError('invalid_request', 'new_email is required.');
    const email = normalizeEmail(newEmail);
    assertMailable(email);
    return email;
  }

  async request(sub: string, email: string): Promise<void> {
    const user = await this.users.require(sub);
    if (user.email === email) throw new FlowError('invalid_request', 'This is the address of your account already.');
    await this.takeQuota('emailChange', sub);
    if (await this.users.findByEmail(email)) return;
    await inTransaction(this.dataSource, async (manager) => {
      // Only the latest request can complete.
      await this.tokens.revokeAllOf(manager, sub, ['change_email']);
      const token = await this.tokens.issue(manager, { purpose: 'change_email', sub, email });
      await this.mail.request(manager, { to: email, template: 'verify-email', params: { change: true }, secrets: { token } });
    });
  }

  /** Mails a new verification link for the account's (unverified) address. */
  async resendVerification(sub: string): Promise<void> {
    const user = await this.users.require(sub);
    if (!user.email) throw new FlowError('invalid_request', 'This account has no email address; add one with POST /auth/account/email.');
    if (user.emailVerified) throw new FlowError('invalid_request', 'Your email address is verified already.');
    const email = user.email;
    assertMailable(email);
    await this.takeQuota('verification', sub);
    await inTransaction(this.dataSource, async (manager) => {
      const token = await this.tokens.issue(manager, { purpose: 'verify_email', sub, email });
      await this.mail.request(manager, { to: email, template: 'verify-email', secrets: { token } });
    });
  }

  private async takeQuota(kind: 'emailChange' | 'verification', sub: string) {
    const { allowed, retryAfter } = await this.quota.take(kind, sub);
    if (!allowed) throw new FlowError('too_many_attempts', 'Too many mails were sent for this account in the last hour; try again later.', { retry_after: retryAfter });
  }
}
