import { TokenServiceTablesSqlite1795826502242 } from './1795826502242-TokenServiceTables';
import { AuthorizationCodeFlowSqlite1795829154705 } from './1795829154705-AuthorizationCodeFlow';
import { OpenIdConnectSqlite1795840000000 } from './1795840000000-OpenIdConnect';
import { LogoutSqlite1796100000000 } from './1796100000000-Logout';
import { BackchannelLogoutSqlite1796100100000 } from './1796100100000-BackchannelLogout';
import { SessionActivitySqlite1796100200000 } from './1796100200000-SessionActivity';
import { ClientDisabledSqlite1796100300000 } from './1796100300000-ClientDisabled';
import { AccessRevocationsSqlite1796100400000 } from './1796100400000-AccessRevocations';
import { InitialAccessTokensSqlite1796100500000 } from './1796100500000-InitialAccessTokens';
import { UnindexedCodeGrantSqlite1796400100000 } from './1796400100000-UnindexedCodeGrant';

export const SQLITE_MIGRATIONS = [TokenServiceTablesSqlite1795826502242, AuthorizationCodeFlowSqlite1795829154705, OpenIdConnectSqlite1795840000000, LogoutSqlite1796100000000, BackchannelLogoutSqlite1796100100000, SessionActivitySqlite1796100200000, ClientDisabledSqlite1796100300000, AccessRevocationsSqlite1796100400000, InitialAccessTokensSqlite1796100500000, UnindexedCodeGrantSqlite1796400100000];
