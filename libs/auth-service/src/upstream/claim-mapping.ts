import { normalizeEmail } from '../users/email';
import { validateProfileClaims } from '../users/profile-claims';
import type { UpstreamIdpEntity } from './entities/upstream-idp.entity';

/** A new local user's profile, from what the provider said. */
export interface MappedProfile {
  /** The upstream address, only when it is verified (see below); otherwise null. */
  verifiedEmail: string | null;
  claims: Record<string, unknown>;
}

/**
 * Applies a provider's claim mapping (upstream claim → local claim). A value that is not a
 * valid local claim (a `picture` that is not an http(s) URL, a malformed email address) is
 * left out rather than failing the sign-in.
 *
 * The address is kept only when the provider says it is verified (`email_verified: true`) AND
 * the admin trusts this provider's verification (`trust_email_verified`). Any other address is
 * dropped, not kept as "unverified": whoever controls an upstream account could assert anyone's
 * address, and holding it locally would squat it (the owner could not sign up, and resetting
 * "their" password would hand them an account the asserter stays linked to: pre-account
 * hijacking), while matching it against local accounts would tell the asserter which addresses
 * have one.
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
  return { verifiedEmail: saysVerified && idp.trustEmailVerified ? email : null, claims };
}
