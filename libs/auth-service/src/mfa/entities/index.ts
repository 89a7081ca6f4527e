import { EmailCodeEntity } from './email-code.entity';
import { RecoveryCodeEntity } from './recovery-code.entity';
import { SecondFactorFailureEntity } from './second-factor-failure.entity';
import { TotpCredentialEntity } from './totp-credential.entity';

export { EmailCodeEntity, RecoveryCodeEntity, SecondFactorFailureEntity, TotpCredentialEntity };

/** The MFA feature's tables (listed in AUTH_SERVICE_ENTITIES). */
export const MFA_ENTITIES = [TotpCredentialEntity, RecoveryCodeEntity, EmailCodeEntity, SecondFactorFailureEntity];
