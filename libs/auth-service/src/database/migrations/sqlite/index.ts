import { UsersSqlite1796000000000 } from './1796000000000-Users';

/** In order; each feature adds its own migration here (and its twin in ../postgres). */
export const SQLITE_MIGRATIONS = [UsersSqlite1796000000000];
