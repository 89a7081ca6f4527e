import { TokenServiceTablesPostgres1795826502242 } from './1795826502242-TokenServiceTables';

export const POSTGRES_MIGRATIONS = [TokenServiceTablesPostgres1795826502242];
