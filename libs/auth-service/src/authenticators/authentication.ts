import type { UserEntity } from '../database/entities/user.entity';

/** What an authenticator (a passport strategy) proves: who, and how (RFC 8176 `amr` values). */
export interface Authentication {
  user: UserEntity;
  amr: string[];
  /** When the authentication happened (epoch seconds), if not now: an upstream provider's `auth_time`. */
  authTime?: number;
}

/** The passport strategy names, one per authenticator. */
export const STRATEGY = {
  password: 'tessera-password',
  loginSession: 'tessera-login-session',
} as const;
