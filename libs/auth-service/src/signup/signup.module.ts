import { Module, type OnModuleInit } from '@nestjs/common';
import { In } from 'typeorm';
import { MailModule } from '../mail/mail.module';
import { UsersService } from '../users/users.service';
import { EmailChangeController } from './email-change.controller';
import { EmailChangeService } from './email-change.service';
import { EmailVerificationService } from './email-verification.service';
import { MAIL_QUOTAS, MailQuota } from './mail-quota';
import { SignupController } from './signup.controller';
import { SignupService } from './signup.service';
import { MailQuotaEntity, VerificationTokenEntity } from './verification-token.entity';
import { VerificationController } from './verification.controller';
import { VerificationTokens } from './verification-tokens';

/**
 * Sign-up, email verification and email change with re-verification, on single-use links
 * (`VerificationTokens`) and per-account mail quotas (`MailQuota`), both shared with recovery.
 */
@Module({
  imports: [MailModule],
  controllers: [SignupController, VerificationController, EmailChangeController],
  providers: [VerificationTokens, MailQuota, SignupService, EmailVerificationService, EmailChangeService],
  exports: [VerificationTokens, MailQuota],
})
export class SignupModule implements OnModuleInit {
  constructor(
    private readonly users: UsersService,
    private readonly emailChange: EmailChangeService,
  ) {}

  onModuleInit() {
    // An unverified account cannot sign in; its owner's right password earns a new verification link.
    this.users.onUnverifiedSignIn((sub) => this.emailChange.resendVerification(sub));
    // A deleted user's links and mail counters go with them.
    this.users.onDelete(async (manager, sub) => {
      await manager.delete(VerificationTokenEntity, { sub });
      await manager.delete(MailQuotaEntity, { key: In(Object.keys(MAIL_QUOTAS).map((kind) => `${kind}:${sub}`)) });
    });
  }
}
