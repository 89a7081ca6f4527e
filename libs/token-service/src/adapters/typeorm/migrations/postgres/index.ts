import { TokenServiceTablesPostgres1795826502242 } from './1795826502242-TokenServiceTables';
import { AuthorizationCodeFlowPostgres1795828083739 } from './1795828083739-AuthorizationCodeFlow';

export const POSTGRES_MIGRATIONS = [TokenServiceTablesPostgres1795826502242, AuthorizationCodeFlowPostgres1795828083739];
