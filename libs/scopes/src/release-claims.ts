import { bestLanguageMatch, splitClaimName } from './claim-name';
import type { ClaimsRequest, ClaimsRequestTarget } from './claims-request';
import type { ScopeRegistry } from './scope-registry';

export interface ReleaseClaimsInput {
  readonly target: ClaimsRequestTarget;
  /**
   * The user's claims as the auth-service holds them, possibly with language-tagged variants
   * (`name#ja-Kana-JP`, §5.2) and `sub`. Only own properties are read.
   */
  readonly profile: Readonly<Record<string, unknown>>;
  /** The scopes of the grant (unknown ones release nothing). */
  readonly grantedScopes: readonly string[];
  readonly claimsRequest?: ClaimsRequest;
  /**
   * Claims the user consented to one by one when the client named them in the `claims`
   * parameter. Consent is per claim, not per language: `name#fr` here grants `name`.
   * Default: none.
   */
  readonly grantedClaims?: readonly string[];
  /**
   * True when no access token is issued (response_type=id_token): the scope claims then go in
   * the ID token (§5.4). Otherwise they are for the UserInfo endpoint only.
   */
  readonly scopeClaimsInIdToken: boolean;
  /** `claims_locales` (§5.2), already split on spaces, in order of preference. */
  readonly claimsLocales?: readonly string[];
  readonly registry: ScopeRegistry;
}

/**
 * The user claims to put in an ID token or a UserInfo response (OIDC Core §5.3, §5.4, §5.5).
 *
 * Which claims (base names, without language tags):
 * - `userinfo`: the claims of the granted scopes, plus the claims named in
 *   `claimsRequest.userinfo` that the user granted, by a scope or one by one (`grantedClaims`);
 * - `id_token`: the claims named in `claimsRequest.id_token` granted the same way, plus the scope
 *   claims only when `scopeClaimsInIdToken`;
 * - only claims the registry knows. **`sub` is never returned**: the token service computes it
 *   (it may be pairwise, §8.1) and adds it itself. Protocol claims (`acr`, `iss` …) are never
 *   known, so never returned either, whatever the profile holds.
 *
 * Which values:
 * - a claim absent from the profile, or `null` there, is omitted (never `null`);
 * - values are passed through, never coerced; but a standard claim whose value has the wrong JSON
 *   type for §5.1 (`email_verified: "true"`, `updated_at: "2024-01-01"`, `address: "1 Main St"`,
 *   a non-finite number) is dropped, since a relying party may rely on the type. `address` is
 *   checked as an object; its members are passed through unchecked. Custom claims take any value;
 * - languages (§5.2): the untagged claim when present; with `claimsLocales`, also the best tagged
 *   variant for the first locale that matches one (exact tag, then the tag it extends, e.g.
 *   `fr-CA` → `name#fr`, then a tag extending it, e.g. `fr` → `name#fr-CA`); a tagged name the
 *   client asked for (`"name#fr": null`) is released, when its base claim is granted, as the
 *   profile's variant that best matches that tag. Tagged names are always written as the
 *   profile spells them, so the tag returned is the language of the value.
 *
 * The key order is deterministic: the registry's `supportedClaims()` order, each claim's
 * untagged name before its tagged variants, these in code-unit order.
 */
export function releaseClaims(input: ReleaseClaimsInput): Record<string, unknown> {
  const { registry, target, profile } = input;

  const scopeClaims = registry.claimsForScopes(input.grantedScopes);
  const individuallyGranted = new Set<string>();
  for (const name of input.grantedClaims ?? []) {
    const split = splitClaimName(name);
    if (split !== undefined) individuallyGranted.add(split.base);
  }
  const isGranted = (base: string): boolean =>
    base !== 'sub' && registry.isKnownClaim(base) && (scopeClaims.has(base) || individuallyGranted.has(base));

  /** Base claims released untagged (and in the `claimsLocales` languages). */
  const released = new Set<string>();
  /** Base claim → language tags the client named explicitly. */
  const namedTags = new Map<string, string[]>();

  if (target === 'userinfo' || input.scopeClaimsInIdToken) {
    for (const claim of scopeClaims) if (isGranted(claim)) released.add(claim);
  }
  const requested = input.claimsRequest?.[target];
  for (const name of requested === undefined ? [] : Object.keys(requested)) {
    const split = splitClaimName(name);
    if (split === undefined || !isGranted(split.base)) continue;
    if (split.tag === undefined) released.add(split.base);
    else namedTags.set(split.base, [...(namedTags.get(split.base) ?? []), split.tag]);
  }
  if (released.size === 0 && namedTags.size === 0) return {};

  const hasValid = (key: string, base: string): boolean => Object.hasOwn(profile, key) && hasClaimType(registry, base, profile[key]);

  /** Base claim → tag → profile key, for the tagged variants in the profile with a valid value. */
  const variants = new Map<string, Map<string, string>>();
  for (const key of Object.keys(profile)) {
    const split = splitClaimName(key);
    if (split?.tag === undefined || !(released.has(split.base) || namedTags.has(split.base))) continue;
    if (!hasValid(key, split.base)) continue;
    const tags = variants.get(split.base) ?? new Map<string, string>();
    tags.set(split.tag, key);
    variants.set(split.base, tags);
  }

  const locales = input.claimsLocales ?? [];
  const result: Record<string, unknown> = {};
  for (const base of registry.supportedClaims()) {
    if (!released.has(base) && !namedTags.has(base)) continue;
    const tags = variants.get(base) ?? new Map<string, string>();
    const available = [...tags.keys()];
    const chosen = new Set<string>();

    if (released.has(base)) {
      for (const locale of locales) {
        const match = bestLanguageMatch(locale, available);
        if (match !== undefined) {
          chosen.add(match);
          break;
        }
      }
    }
    for (const tag of namedTags.get(base) ?? []) {
      const match = bestLanguageMatch(tag, available);
      if (match !== undefined) chosen.add(match);
    }

    if (released.has(base) && hasValid(base, base)) result[base] = profile[base];
    const keys = [...chosen].map((tag) => tags.get(tag) as string).sort();
    for (const key of keys) result[key] = profile[key];
  }
  return result;
}

function hasClaimType(registry: ScopeRegistry, base: string, value: unknown): boolean {
  if (value === undefined || value === null) return false;
  switch (registry.claimType(base)) {
    case 'string':
      return typeof value === 'string';
    case 'boolean':
      return typeof value === 'boolean';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'object':
      return typeof value === 'object' && !Array.isArray(value);
    case undefined:
      return true;
  }
}
