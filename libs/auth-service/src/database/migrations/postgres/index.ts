import { UsersPostgres1796000000000 } from './1796000000000-Users';
import { MfaPostgres1796000100000 } from './1796000100000-Mfa';
import { PasskeysPostgres1796000200000 } from './1796000200000-Passkeys';
import { UpstreamPostgres1796000300000 } from './1796000300000-Upstream';
import { VerificationPostgres1796000400000 } from './1796000400000-Verification';

/** In order; each feature adds its own migration here (and its twin in ../sqlite). */
export const POSTGRES_MIGRATIONS = [UsersPostgres1796000000000, MfaPostgres1796000100000, PasskeysPostgres1796000200000, UpstreamPostgres1796000300000, VerificationPostgres1796000400000];
