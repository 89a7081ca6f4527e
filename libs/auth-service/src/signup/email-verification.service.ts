import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { inTransaction } from '@tessera/events';
import { AUTH_SERVICE_DATA_SOURCE } from '../auth-service.tokens';
import { FlowError } from '../http/flow-error';
import { MailRequests } from '../mail/mail-requests';
import { maskEmail } from '../mail/mailable';
import { UsersService } from '../users/users.service';
import { VerificationTokens } from './verification-tokens';

export interface VerifiedEmail {
  email: string;
  /** True when the link changed the account's address (an email change), not only verified it. */
  changed: boolean;
}

/**
 * Using a link from a verification mail: it proves control of the address it was sent to.
 * A `verify_email` link marks the account's address verified (if it is still the account's);
 * a `change_email` link makes its address the account's (verified), spends every other
 * outstanding link of the account (resets mailed to the old address included) and tells the old
 * address. All of it in one transaction with the token's use: a refusal leaves the link unspent.
 */
@Injectable()
export class EmailVerificationService {
  constructor(
    private readonly users: UsersService,
    private readonly tokens: VerificationTokens,
    private readonly mail: MailRequests,
    @Inject(AUTH_SERVICE_DATA_SOURCE) private readonly dataSource: DataSource,
  ) {}

  async verify(token: unknown): Promise<VerifiedEmail> {
    return inTransaction(this.dataSource, async (manager) => {
      const link = await this.tokens.consume(token, ['verify_email', 'change_email'], manager);
      const user = await this.users.find(link.sub, manager);
      if (!user) throw new FlowError('invalid_link', 'This link is not valid any more: its account is gone.', { reason: 'unknown' });
      if (link.purpose === 'verify_email') {
        if (user.email !== link.email) {
          throw new FlowError('invalid_link', 'This link is for an address the account no longer uses.', { reason: 'stale' });
        }
        if (!user.emailVerified) await this.users.setEmail(user.sub, link.email, true, manager);
        return { email: link.email, changed: false };
      }
      const previous = user.email;
      // A conflict (the address became another account's meanwhile) rolls the whole use back.
      await this.users.setEmail(user.sub, link.email, true, manager);
      if (previous === link.email) return { email: link.email, changed: false };
      await this.tokens.revokeAllOf(manager, user.sub);
      if (previous) await this.mail.request(manager, { to: previous, template: 'email-changed', params: { new_email: maskEmail(link.email) } });
      return { email: link.email, changed: true };
    });
  }
}
