import { splitClaimName } from './claim-name';
import {
  type ClaimType,
  PROTOCOL_CLAIM_NAMES,
  STANDARD_CLAIM_TYPES,
  STANDARD_SCOPES,
  type ScopeDefinition,
} from './standard-claims';

export interface CustomScopeDefinition {
  /** An RFC 6749 §3.3 scope-token. Case-sensitive, like every scope. */
  readonly name: string;
  /** A short sentence for the consent screen. */
  readonly description: string;
  /** The claims the scope requests: standard ones and/or custom ones (declared by this). */
  readonly claims?: readonly string[];
}

export interface ScopeRegistryOptions {
  readonly scopes?: readonly CustomScopeDefinition[];
  /**
   * Custom claims that no custom scope requests but a client may ask for by name with the
   * `claims` parameter (§5.5). Claims of custom scopes need not be repeated here.
   */
  readonly claims?: readonly string[];
}

/** A registry configuration that cannot be used; `problems` lists every bad setting. */
export class ScopeRegistryConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid scope registry configuration:\n${problems.map((p) => `- ${p}`).join('\n')}`);
    this.name = 'ScopeRegistryConfigError';
  }
}

/** RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ). */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;
/** Whitespace, control characters and `#` (the language-tag separator of §5.2). */
const FORBIDDEN_IN_CLAIM_NAME = /[\s\p{Cc}#]/u;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const show = (value: unknown): string => JSON.stringify(value) ?? String(value);

/**
 * The scopes and user claims this OP knows: the OIDC standard ones (Core §5.1, §5.4) and the
 * deployment's custom ones. Immutable once built; building it validates the custom definitions
 * and throws one `ScopeRegistryConfigError` listing every problem.
 *
 * "Claims" here are **user claims** only (what a profile holds). ID token and protocol claims
 * (`iss aud exp iat auth_time nonce acr amr azp sid` …) are not the registry's job: they are
 * never known, never released by `releaseClaims`, and may not be declared as custom claims.
 */
export class ScopeRegistry {
  private readonly scopes = new Map<string, ScopeDefinition>();
  /** Known claim → its type (undefined for custom claims: any JSON value). In `supportedClaims` order. */
  private readonly claims = new Map<string, ClaimType | undefined>();

  constructor(options: ScopeRegistryOptions = {}) {
    for (const [name, type] of Object.entries(STANDARD_CLAIM_TYPES)) this.claims.set(name, type);
    for (const scope of STANDARD_SCOPES) this.scopes.set(scope.name, scope);

    const problems: string[] = [];
    if (!isRecord(options)) {
      throw new ScopeRegistryConfigError(['the options must be an object with optional scopes and claims arrays']);
    }
    const customClaims = this.readCustomClaims(options.claims, problems);
    const customScopes = this.readCustomScopes(options.scopes, problems);
    if (problems.length > 0) throw new ScopeRegistryConfigError(problems);

    for (const claim of customClaims) this.claims.set(claim, undefined);
    for (const scope of customScopes) {
      for (const claim of scope.claims) if (!this.claims.has(claim)) this.claims.set(claim, undefined);
      this.scopes.set(scope.name, scope);
    }
  }

  /**
   * The claims requested by these scopes (§5.4), `sub` included for `openid`. Unknown scopes
   * (resource server scopes such as `api:read`) request no claims. Insertion order follows the
   * scopes given, then each scope's claim order.
   */
  claimsForScopes(scopes: readonly string[]): Set<string> {
    const claims = new Set<string>();
    for (const scope of scopes) for (const claim of this.scopes.get(scope)?.claims ?? []) claims.add(claim);
    return claims;
  }

  /** The definition of a standard or custom scope, or undefined if this registry does not know it. */
  describe(scope: string): ScopeDefinition | undefined {
    return this.scopes.get(scope);
  }

  /** Every scope this registry knows: the standard ones, then the custom ones in declaration order. */
  supportedScopes(): string[] {
    return [...this.scopes.keys()];
  }

  /**
   * For discovery's `claims_supported`: `sub`, every §5.1 standard claim, then the custom claims
   * (declared `claims` first, then those first named by custom scopes). User claims only: the
   * token service adds the ID token claims it issues (`iss`, `aud`, `exp`, `iat`, `auth_time`,
   * `nonce`, `acr`, `amr`, `azp`, `sid`, …) itself.
   */
  supportedClaims(): string[] {
    return [...this.claims.keys()];
  }

  /**
   * Whether `name` is a user claim this registry knows. A language-tagged name (`name#fr`, §5.2)
   * is known when its base claim is and the tag is syntactically a language tag.
   */
  isKnownClaim(name: string): boolean {
    const split = splitClaimName(name);
    return split !== undefined && this.claims.has(split.base);
  }

  /**
   * The JSON type a known claim's value must have, or undefined when any JSON value goes (custom
   * claims) or the claim is unknown.
   */
  claimType(name: string): ClaimType | undefined {
    return this.claims.get(name);
  }

  private readCustomClaims(claims: unknown, problems: string[]): string[] {
    if (claims === undefined) return [];
    if (!Array.isArray(claims)) {
      problems.push(`claims must be an array of claim names, got ${show(claims)}`);
      return [];
    }
    const seen = new Set<string>();
    const valid: string[] = [];
    claims.forEach((claim: unknown, i) => {
      const where = `claims[${i}]`;
      const problem = claimNameProblem(claim);
      if (problem !== undefined) return void problems.push(`${where}: ${problem}`);
      const name = claim as string;
      if (Object.hasOwn(STANDARD_CLAIM_TYPES, name)) {
        return void problems.push(`${where}: ${show(name)} is a standard claim already; do not declare it`);
      }
      if (seen.has(name)) return void problems.push(`${where}: ${show(name)} is declared more than once`);
      seen.add(name);
      valid.push(name);
    });
    return valid;
  }

  private readCustomScopes(scopes: unknown, problems: string[]): ScopeDefinition[] {
    if (scopes === undefined) return [];
    if (!Array.isArray(scopes)) {
      problems.push(`scopes must be an array of { name, description, claims? }, got ${show(scopes)}`);
      return [];
    }
    const seen = new Set<string>();
    const valid: ScopeDefinition[] = [];
    scopes.forEach((scope: unknown, i) => {
      const where = `scopes[${i}]`;
      if (!isRecord(scope)) return void problems.push(`${where} must be an object { name, description, claims? }`);
      const before = problems.length;
      const { name, description, claims = [] } = scope;

      if (typeof name !== 'string' || !SCOPE_TOKEN.test(name)) {
        problems.push(
          `${where}.name ${show(name)} is not a scope-token (RFC 6749 §3.3: printable ASCII without space, " or \\)`,
        );
      } else if (STANDARD_SCOPES.some((s) => s.name === name)) {
        problems.push(`${where}.name ${show(name)} is a standard OpenID Connect scope and cannot be redefined`);
      } else if (seen.has(name)) {
        problems.push(`${where}.name ${show(name)} is defined more than once`);
      } else {
        seen.add(name);
      }

      if (typeof description !== 'string' || description.trim() === '') {
        problems.push(`${where}.description must be a non-empty string shown on the consent screen`);
      }

      const scopeClaims: string[] = [];
      if (!Array.isArray(claims)) {
        problems.push(`${where}.claims must be an array of claim names, got ${show(claims)}`);
      } else {
        claims.forEach((claim: unknown, j) => {
          const problem = claimNameProblem(claim);
          if (problem !== undefined) return void problems.push(`${where}.claims[${j}]: ${problem}`);
          if (scopeClaims.includes(claim as string)) {
            return void problems.push(`${where}.claims[${j}]: ${show(claim)} is listed more than once`);
          }
          scopeClaims.push(claim as string);
        });
      }

      if (problems.length === before) {
        valid.push(
          Object.freeze({ name: name as string, description: description as string, claims: Object.freeze(scopeClaims) }),
        );
      }
    });
    return valid;
  }
}

/** Why `claim` cannot be a user claim name, or undefined if it can. Standard claims are fine. */
function claimNameProblem(claim: unknown): string | undefined {
  if (typeof claim !== 'string' || claim === '') return `a claim name must be a non-empty string, got ${show(claim)}`;
  if (FORBIDDEN_IN_CLAIM_NAME.test(claim)) {
    return `${show(claim)} is not a claim name: no whitespace, control characters or # (the language-tag separator, OIDC Core §5.2)`;
  }
  if (claim === '__proto__') return `${show(claim)} cannot be a claim name`;
  if (PROTOCOL_CLAIM_NAMES.has(claim)) {
    return `${show(claim)} is an ID token / JWT claim set by the token service, not a user claim`;
  }
  return undefined;
}
