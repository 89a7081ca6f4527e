import { Module, type OnModuleInit } from '@nestjs/common';
import { SignInMethods } from '../account/sign-in-methods';
import { LoginMethods } from '../flows/login-methods';
import { MfaModule } from '../mfa/mfa.module';
import { SecondFactors } from '../mfa/second-factors';
import { UsersService } from '../users/users.service';
import { PasskeyAssertions } from './passkey-assertions';
import { PasskeyChallenges } from './passkey-challenges';
import { PasskeyLoginController } from './passkey-login.controller';
import { PasskeyLoginStrategy, PasskeySecondFactorStrategy } from './passkey.strategies';
import { PasskeysAccountController } from './passkeys-account.controller';
import { PASSKEY_FACTOR, PasskeysService } from './passkeys.service';
import { RelyingParty } from './relying-party';

/**
 * Passkeys (WebAuthn): passwordless login, a second factor, and the account's list of them.
 * Plugs into the core at start: a second factor that makes MFA required, a sign-in method of
 * its own (one per passkey), a method on the login page, and a step of user deletion.
 */
@Module({
  // For PendingSecondFactors: the passkey second factor completes a login on the same terms as the code factors.
  imports: [MfaModule],
  controllers: [PasskeyLoginController, PasskeysAccountController],
  providers: [RelyingParty, PasskeyChallenges, PasskeysService, PasskeyAssertions, PasskeyLoginStrategy, PasskeySecondFactorStrategy],
  exports: [PasskeysService],
})
export class PasskeysModule implements OnModuleInit {
  constructor(
    private readonly passkeys: PasskeysService,
    private readonly secondFactors: SecondFactors,
    private readonly signInMethods: SignInMethods,
    private readonly loginMethods: LoginMethods,
    private readonly users: UsersService,
  ) {}

  onModuleInit() {
    this.secondFactors.register({ name: PASSKEY_FACTOR, enrolled: async (sub) => (await this.passkeys.countOf(sub)) > 0, makesMfaRequired: true });
    this.signInMethods.register(PASSKEY_FACTOR, (sub) => this.passkeys.countOf(sub));
    this.loginMethods.register(() => [{ type: PASSKEY_FACTOR }]);
    this.users.onDelete((manager, sub) => this.passkeys.deleteAllOf(manager, sub));
  }
}
