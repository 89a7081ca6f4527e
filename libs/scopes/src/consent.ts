import type { ScopeRegistry } from './scope-registry';

/**
 * The requested scopes the user has not granted yet, in request order, each once. Empty means
 * the remembered grant covers the request (unless `prompt=consent` asks again).
 */
export function scopesNeedingConsent(requested: readonly string[], alreadyGranted: readonly string[]): string[] {
  const granted = new Set(alreadyGranted);
  const needed = new Set<string>();
  for (const scope of requested) if (!granted.has(scope)) needed.add(scope);
  return [...needed];
}

/** A scope as the consent screen shows it. */
export interface ConsentScope {
  readonly name: string;
  /** Absent for a scope the registry does not know (e.g. a resource server's `api:read`). */
  readonly description?: string;
  readonly claims: readonly string[];
}

/**
 * The consent screen's view of `scopes`, in the order given, each once. A scope the registry
 * does not know is still listed (name only, no claims): a consent screen must never hide part
 * of what the user is agreeing to; the caller may describe it from elsewhere.
 */
export function describeScopes(registry: ScopeRegistry, scopes: readonly string[]): ConsentScope[] {
  return [...new Set(scopes)].map((name) => {
    const known = registry.describe(name);
    return known === undefined ? { name, claims: [] } : { name, description: known.description, claims: known.claims };
  });
}
