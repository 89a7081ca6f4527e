/**
 * Stand-ins for the authentication service, for the token service booted without it
 * (structurally the token service's UserClaimsSource and CredentialCheck ports).
 */

/** A user directory in memory: claims by subject, and roles (a known user without an entry has none). */
export class StandInUserDirectory {
  readonly users = new Map<string, Record<string, unknown>>();
  readonly roles = new Map<string, string[]>();
  /** How many times the token service asked for claims. */
  lookups = 0;
  constructor(users: Record<string, Record<string, unknown>> = {}) {
    for (const [sub, claims] of Object.entries(users)) this.users.set(sub, claims);
  }
  async claimsOf(sub: string): Promise<Record<string, unknown> | undefined> {
    this.lookups++;
    return this.users.get(sub);
  }
  async rolesOf(sub: string): Promise<string[] | undefined> {
    return this.users.has(sub) ? (this.roles.get(sub) ?? []) : undefined;
  }
}

/** The password grant's credential check where every password is right for `sub` (tests only). */
export function acceptingCredentialCheck(sub: string, amr: string[] = ['pwd']) {
  return {
    check: async () => ({ outcome: 'authenticated' as const, sub, amr, authTime: Math.floor(Date.now() / 1000) }),
  };
}
