import { UsersSqlite1796000000000 } from './1796000000000-Users';
import { MfaSqlite1796000100000 } from './1796000100000-Mfa';
import { PasskeysSqlite1796000200000 } from './1796000200000-Passkeys';
import { UpstreamSqlite1796000300000 } from './1796000300000-Upstream';
import { VerificationSqlite1796000400000 } from './1796000400000-Verification';

/** In order; each feature adds its own migration here (and its twin in ../postgres). */
export const SQLITE_MIGRATIONS = [UsersSqlite1796000000000, MfaSqlite1796000100000, PasskeysSqlite1796000200000, UpstreamSqlite1796000300000, VerificationSqlite1796000400000];
