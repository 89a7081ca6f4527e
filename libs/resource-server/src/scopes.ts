import { TokenError } from './token-error';
import type { VerifiedToken } from './verified-token';

// RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ).
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/**
 * The scopes a route requires, checked when the route is declared: a typo such as a space
 * inside one scope would otherwise make the route refuse every token, at run time.
 */
export function requiredScopes(scopes: readonly string[]): string[] {
  if (!Array.isArray(scopes)) throw new TypeError('scopes must be an array of strings');
  const bad = scopes.filter((s) => typeof s !== 'string' || !SCOPE_TOKEN.test(s));
  if (bad.length > 0) throw new TypeError(`Not valid scope names (RFC 6749 section 3.3): ${bad.map((s) => JSON.stringify(s)).join(', ')}`);
  return [...new Set(scopes)];
}

/**
 * insufficient_scope (RFC 6750 §3.1) unless the token was granted every one of `required`.
 * The error's `scope` lists all of them: what a client must ask for to be let in (§3).
 */
export function assertScopes(token: VerifiedToken, required: readonly string[]): void {
  if (required.length === 0) return;
  const granted = new Set(token.scopes);
  const missing = required.filter((s) => !granted.has(s));
  if (missing.length > 0) {
    throw new TokenError('insufficient_scope', `The access token lacks the scope this request needs: ${missing.join(' ')}.`, {
      scope: required.join(' '),
      detail: `missing ${missing.join(' ')}`,
    });
  }
}
