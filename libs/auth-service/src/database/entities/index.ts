import { LoginSessionEntity } from './login-session.entity';
import { KnownDeviceEntity, LoginThrottleEntity } from './throttle.entity';
import { UserEntity } from './user.entity';

export { KnownDeviceEntity, LoginSessionEntity, LoginThrottleEntity, UserEntity };

/** Each feature adds its entities here. */
export const AUTH_SERVICE_ENTITIES = [UserEntity, LoginSessionEntity, LoginThrottleEntity, KnownDeviceEntity];
