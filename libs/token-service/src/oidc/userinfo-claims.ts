import type { ClaimsRequest } from '@tessera/scopes';
import type { UserinfoClaimsRequest } from '../ports/access-token.store';

/** The part of an authorization's claims request an access token carries for UserInfo, if any. */
export function userinfoClaimsOf(claims: ClaimsRequest | undefined, locales: string[] | undefined): UserinfoClaimsRequest | undefined {
  if (!claims?.userinfo && !locales?.length) return undefined;
  return { ...(claims?.userinfo ? { userinfo: claims.userinfo as Record<string, unknown> } : {}), ...(locales?.length ? { locales } : {}) };
}
