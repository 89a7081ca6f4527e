import { UsersPostgres1796000000000 } from './1796000000000-Users';

/** In order; each feature adds its own migration here (and its twin in ../sqlite). */
export const POSTGRES_MIGRATIONS = [UsersPostgres1796000000000];
