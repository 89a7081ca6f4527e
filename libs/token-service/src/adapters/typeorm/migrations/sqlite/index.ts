import { TokenServiceTablesSqlite1795826502242 } from './1795826502242-TokenServiceTables';
import { AuthorizationCodeFlowSqlite1795828083739 } from './1795828083739-AuthorizationCodeFlow';

export const SQLITE_MIGRATIONS = [TokenServiceTablesSqlite1795826502242, AuthorizationCodeFlowSqlite1795828083739];
