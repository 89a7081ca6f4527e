import { TokenServiceTablesPostgres1795826502242 } from './1795826502242-TokenServiceTables';
import { AuthorizationCodeFlowPostgres1795829154705 } from './1795829154705-AuthorizationCodeFlow';
import { OpenIdConnectPostgres1795840000000 } from './1795840000000-OpenIdConnect';
import { LogoutPostgres1796100000000 } from './1796100000000-Logout';
import { BackchannelLogoutPostgres1796100100000 } from './1796100100000-BackchannelLogout';
import { SessionActivityPostgres1796100200000 } from './1796100200000-SessionActivity';
import { ClientDisabledPostgres1796100300000 } from './1796100300000-ClientDisabled';
import { AccessRevocationsPostgres1796100400000 } from './1796100400000-AccessRevocations';
import { InitialAccessTokensPostgres1796100500000 } from './1796100500000-InitialAccessTokens';
import { UnindexedCodeGrantPostgres1796400100000 } from './1796400100000-UnindexedCodeGrant';

export const POSTGRES_MIGRATIONS = [TokenServiceTablesPostgres1795826502242, AuthorizationCodeFlowPostgres1795829154705, OpenIdConnectPostgres1795840000000, LogoutPostgres1796100000000, BackchannelLogoutPostgres1796100100000, SessionActivityPostgres1796100200000, ClientDisabledPostgres1796100300000, AccessRevocationsPostgres1796100400000, InitialAccessTokensPostgres1796100500000, UnindexedCodeGrantPostgres1796400100000];
