import type { UserEntity } from '../database/entities/user.entity';

/** What an authenticator (a passport strategy) proves: who, and how (RFC 8176 `amr` values). */
export interface Authentication {
  user: UserEntity;
  amr: string[];
}

/** The passport strategy names, one per authenticator. */
export const STRATEGY = {
  password: 'tessera-password',
  loginSession: 'tessera-login-session',
} as const;
