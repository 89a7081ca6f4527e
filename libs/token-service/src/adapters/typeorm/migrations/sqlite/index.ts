import { TokenServiceTablesSqlite1795826502242 } from './1795826502242-TokenServiceTables';

export const SQLITE_MIGRATIONS = [TokenServiceTablesSqlite1795826502242];
