/**
 * Claim names with language tags (OIDC Core §5.2): `family_name#ja-Kana-JP` is the claim
 * `family_name` in the BCP 47 language tag `ja-Kana-JP`. Language tags compare
 * case-insensitively (RFC 5646 §2.1.1).
 */

/**
 * The syntax of a BCP 47 tag, loosely: subtags of 1 to 8 letters or digits separated by `-`,
 * the first one letters only. It admits every well-formed tag (private use `x-…` and the
 * grandfathered `i-…` included) and refuses anything that cannot be one; it does not check
 * subtags against the IANA registry.
 */
const LANGUAGE_TAG = /^[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*$/;

export function isLanguageTag(tag: string): boolean {
  return LANGUAGE_TAG.test(tag);
}

export interface ClaimName {
  /** The claim without its language tag. */
  readonly base: string;
  /** The language tag after `#`, if any. */
  readonly tag?: string;
}

/**
 * Splits `name#tag` at the first `#` (claim names never contain one). Returns undefined when
 * there is a `#` but what follows is not a language tag, or nothing precedes it.
 */
export function splitClaimName(name: string): ClaimName | undefined {
  const hash = name.indexOf('#');
  if (hash === -1) return { base: name };
  const base = name.slice(0, hash);
  const tag = name.slice(hash + 1);
  if (base === '' || !isLanguageTag(tag)) return undefined;
  return { base, tag };
}

/**
 * The best of `available` (language tags) for one `requested` tag, or undefined:
 *
 * 1. the same tag, ignoring case;
 * 2. the longest tag the requested one extends (RFC 4647 §3.4 lookup: `fr-CA` → `fr`), a
 *    trailing single-letter subtag (an extension or private-use singleton) dropped with the
 *    subtag after it;
 * 3. the shortest tag that extends the requested one (RFC 4647 §3.3.1 basic filtering:
 *    `fr` → `fr-CA`), ties broken by code-unit order.
 *
 * Siblings (`fr-CA` for `fr-FR`) do not match: the caller falls back to the next locale the
 * client listed, and to the untagged claim.
 */
export function bestLanguageMatch(requested: string, available: readonly string[]): string | undefined {
  if (!isLanguageTag(requested) || available.length === 0) return undefined;
  const byLower = new Map<string, string>();
  for (const tag of [...available].sort()) {
    const lower = tag.toLowerCase();
    if (!byLower.has(lower)) byLower.set(lower, tag);
  }

  const wanted = requested.toLowerCase();
  const exact = byLower.get(wanted);
  if (exact !== undefined) return exact;

  const subtags = wanted.split('-');
  while (subtags.length > 1) {
    subtags.pop();
    if (subtags.length > 1 && subtags[subtags.length - 1].length === 1) subtags.pop();
    const prefix = byLower.get(subtags.join('-'));
    if (prefix !== undefined) return prefix;
  }

  const longer = [...byLower.keys()]
    .filter((tag) => tag.startsWith(`${wanted}-`))
    .sort((a, b) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0));
  return longer.length > 0 ? byLower.get(longer[0]) : undefined;
}
