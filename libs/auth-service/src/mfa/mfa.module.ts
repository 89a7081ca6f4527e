import { Module, type OnModuleInit } from '@nestjs/common';
import { MailModule } from '../mail/mail.module';
import { UsersService } from '../users/users.service';
import { canReceiveEmailCodes, EmailCodesService } from './email-codes.service';
import { EmailCodeStrategy } from './email-code.strategy';
import { EmailCodeEntity, RecoveryCodeEntity, SecondFactorFailureEntity, TotpCredentialEntity } from './entities';
import { MfaAccountController } from './mfa-account.controller';
import { MfaLoginController } from './mfa-login.controller';
import { PendingSecondFactors } from './pending-second-factor';
import { RecoveryCodeStrategy } from './recovery-code.strategy';
import { RecoveryCodesService } from './recovery-codes.service';
import { SecondFactorAttempts } from './second-factor-attempts';
import { SecondFactors } from './second-factors';
import { TotpStrategy } from './totp.strategy';
import { TotpService } from './totp.service';

/**
 * Multi-factor authentication: TOTP authenticator apps, recovery codes and mailed one-time
 * codes as second factors of the login flow (and for step-up when a client asks for MFA), and
 * their management in the account API. Only TOTP makes MFA required for a user; recovery and
 * email codes stand in for it, or answer a client's request for MFA.
 */
@Module({
  imports: [MailModule],
  controllers: [MfaLoginController, MfaAccountController],
  providers: [
    TotpService,
    RecoveryCodesService,
    EmailCodesService,
    SecondFactorAttempts,
    PendingSecondFactors,
    TotpStrategy,
    RecoveryCodeStrategy,
    EmailCodeStrategy,
  ],
  // Every second factor finds its login the same way (passkeys too): one freshness rule for all.
  exports: [PendingSecondFactors],
})
export class MfaModule implements OnModuleInit {
  constructor(
    private readonly factors: SecondFactors,
    private readonly users: UsersService,
    private readonly totp: TotpService,
    private readonly recoveryCodes: RecoveryCodesService,
  ) {}

  onModuleInit() {
    this.factors.register({ name: 'totp', makesMfaRequired: true, enrolled: (sub) => this.totp.enrolled(sub), reset: (sub) => this.totp.reset(sub) });
    this.factors.register({
      name: 'recovery_code',
      makesMfaRequired: false,
      enrolled: async (sub) => (await this.recoveryCodes.remaining(sub)) > 0,
      reset: (sub) => this.recoveryCodes.reset(sub),
    });
    this.factors.register({ name: 'email_code', makesMfaRequired: false, enrolled: async (sub) => canReceiveEmailCodes(await this.users.find(sub)) });
    this.users.onDelete(async (manager, sub) => {
      await manager.delete(TotpCredentialEntity, { sub });
      await manager.delete(RecoveryCodeEntity, { sub });
      await manager.delete(EmailCodeEntity, { sub });
      await manager.delete(SecondFactorFailureEntity, { sub });
    });
  }
}
