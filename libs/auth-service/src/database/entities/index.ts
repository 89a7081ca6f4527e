import { LoginSessionEntity } from './login-session.entity';
import { KnownDeviceEntity, LoginThrottleEntity } from './throttle.entity';
import { UserEntity } from './user.entity';
import { MFA_ENTITIES } from '../../mfa/entities';
import { PASSKEY_ENTITIES } from '../../passkeys/passkey.entity';
import { SIGNUP_ENTITIES } from '../../signup/verification-token.entity';
import { UPSTREAM_ENTITIES } from '../../upstream/entities';

export { KnownDeviceEntity, LoginSessionEntity, LoginThrottleEntity, UserEntity };

/** Each feature adds its entities here. */
export const AUTH_SERVICE_ENTITIES = [UserEntity, LoginSessionEntity, LoginThrottleEntity, KnownDeviceEntity, ...MFA_ENTITIES, ...PASSKEY_ENTITIES, ...SIGNUP_ENTITIES, ...UPSTREAM_ENTITIES];
