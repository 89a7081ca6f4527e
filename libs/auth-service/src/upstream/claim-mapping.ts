import { normalizeEmail } from '../users/email';
import { validateProfileClaims } from '../users/profile-claims';
import type { UpstreamIdpEntity } from './entities/upstream-idp.entity';

/** A new local user's profile, from what the provider said. */
export interface MappedProfile {
  email: string | null;
  emailVerified: boolean;
  claims: Record<string, unknown>;
}

/**
 * Applies a provider's claim mapping (upstream claim → local claim). A value that is not a
 * valid local claim (a `picture` that is not an http(s) URL, a malformed email address) is
 * left out rather than failing the sign-in. The address counts as verified only when the
 * provider says so (`email_verified: true`) AND the admin trusts this provider's verification:
 * an untrusted `email_verified` proves nothing here.
 */
export function mapUpstreamClaims(idp: Pick<UpstreamIdpEntity, 'claimMapping' | 'trustEmailVerified'>, upstream: Record<string, unknown>): MappedProfile {
  let email: string | null = null;
  let saysVerified = false;
  const claims: Record<string, unknown> = {};
  for (const [from, to] of Object.entries(idp.claimMapping)) {
    const value = upstream[from];
    if (value === undefined || value === null) continue;
    if (to === 'email') {
      try {
        email = normalizeEmail(value);
      } catch {
        email = null;
      }
    } else if (to === 'email_verified') {
      // Some providers send the boolean as a string ("true"); anything else is not a yes.
      saysVerified = value === true || value === 'true';
    } else {
      try {
        Object.assign(claims, validateProfileClaims({ [to]: value }));
      } catch {
        // Not a value this claim may hold: skipped.
      }
    }
  }
  return { email, emailVerified: email !== null && saysVerified && idp.trustEmailVerified, claims };
}
