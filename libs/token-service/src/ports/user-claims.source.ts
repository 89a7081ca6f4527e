/**
 * Where the token service reads a user's profile claims (OpenID Connect Core §5.1): the
 * authentication service owns users, so the platform's adapter asks its internal API.
 */
export abstract class UserClaimsSource {
  /** The user's claims by claim name (language-tagged ones as `name#fr`); undefined: no such user. */
  abstract claimsOf(sub: string): Promise<Record<string, unknown> | undefined>;
  /** The roles of an active user (none for a locked or disabled one); undefined: no such user. */
  abstract rolesOf(sub: string): Promise<string[] | undefined>;
}
