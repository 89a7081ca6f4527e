import { AdminApiSqlite1796200000000 } from './1796200000000-AdminApi';

export const SQLITE_MIGRATIONS = [AdminApiSqlite1796200000000];
