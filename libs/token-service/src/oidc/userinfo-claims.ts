import type { ClaimsRequest, ScopeRegistry } from '@tessera/scopes';
import type { UserinfoClaimsRequest } from '../ports/access-token.store';

/** The part of an authorization's claims request an access token carries for UserInfo, if any. */
export function userinfoClaimsOf(claims: ClaimsRequest | undefined, locales: string[] | undefined): UserinfoClaimsRequest | undefined {
  if (!claims?.userinfo && !locales?.length) return undefined;
  return { ...(claims?.userinfo ? { userinfo: claims.userinfo as Record<string, unknown> } : {}), ...(locales?.length ? { locales } : {}) };
}

/**
 * The claims request less the claims of scopes the user declined at consent: refusing `email`
 * must not be undone by naming the `email` claim in the `claims` parameter.
 */
export function withoutDeclined(claims: ClaimsRequest | undefined, registry: ScopeRegistry, requested: readonly string[], granted: readonly string[]): ClaimsRequest | undefined {
  if (!claims) return undefined;
  const declinedScopes = requested.filter((s) => !granted.includes(s));
  if (!declinedScopes.length) return claims;
  const kept = registry.claimsForScopes(granted);
  const declined = [...registry.claimsForScopes(declinedScopes)].filter((c) => !kept.has(c));
  const filter = (member: ClaimsRequest['userinfo']) =>
    member && Object.fromEntries(Object.entries(member).filter(([name]) => !declined.includes(name.split('#')[0])));
  return { userinfo: filter(claims.userinfo), id_token: filter(claims.id_token) };
}
