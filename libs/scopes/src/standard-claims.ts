/**
 * The OpenID Connect Core 1.0 vocabulary this library starts from: the standard claims
 * (§5.1) with their JSON types, and the standard scopes with the claims they request (§5.4).
 */

/** The JSON type a standard claim's value must have (§5.1 "Type" column). */
export type ClaimType = 'string' | 'boolean' | 'number' | 'object';

/** §5.1 standard claims, in the order of the spec's table (which is also `claims_supported` order). */
export const STANDARD_CLAIM_TYPES = {
  sub: 'string',
  name: 'string',
  given_name: 'string',
  family_name: 'string',
  middle_name: 'string',
  nickname: 'string',
  preferred_username: 'string',
  profile: 'string',
  picture: 'string',
  website: 'string',
  email: 'string',
  email_verified: 'boolean',
  gender: 'string',
  birthdate: 'string',
  zoneinfo: 'string',
  locale: 'string',
  phone_number: 'string',
  phone_number_verified: 'boolean',
  address: 'object',
  updated_at: 'number',
} as const satisfies Record<string, ClaimType>;

export type StandardClaim = keyof typeof STANDARD_CLAIM_TYPES;

export interface ScopeDefinition {
  readonly name: string;
  /** A short English sentence for the consent screen. */
  readonly description: string;
  /** The claims the scope requests (§5.4), in a stable order. */
  readonly claims: readonly string[];
}

const standardScope = (name: string, description: string, claims: readonly StandardClaim[]): ScopeDefinition =>
  Object.freeze({ name, description, claims: Object.freeze([...claims]) });

/** §5.4 (plus `openid` → `sub` from §3.1.2.1 and `offline_access` from §11), in that order. */
export const STANDARD_SCOPES: readonly ScopeDefinition[] = Object.freeze([
  standardScope('openid', 'Sign you in and learn your account identifier', ['sub']),
  standardScope(
    'profile',
    'Your basic profile: name, username, picture, website, gender, birthdate, time zone and language',
    [
      'name',
      'family_name',
      'given_name',
      'middle_name',
      'nickname',
      'preferred_username',
      'profile',
      'picture',
      'website',
      'gender',
      'birthdate',
      'zoneinfo',
      'locale',
      'updated_at',
    ],
  ),
  standardScope('email', 'Your email address and whether it is verified', ['email', 'email_verified']),
  standardScope('address', 'Your postal address', ['address']),
  standardScope('phone', 'Your phone number and whether it is verified', ['phone_number', 'phone_number_verified']),
  standardScope('offline_access', 'Keep access to your data while you are not using the app', []),
]);

/**
 * Claim names that belong to the protocol, not to the user: ID token and JWT claims (OIDC Core
 * §2, RFC 7519, RFC 9068, RFC 8693, RFC 7800), logout tokens, and the aggregated/distributed
 * claims members (§5.6.2). A custom claim may not take one of these names, so that no profile
 * value can ever stand in for `iss`, `aud`, `acr` and the like in a token.
 */
export const PROTOCOL_CLAIM_NAMES: ReadonlySet<string> = new Set([
  'iss',
  'aud',
  'exp',
  'nbf',
  'iat',
  'jti',
  'auth_time',
  'nonce',
  'acr',
  'amr',
  'azp',
  'sid',
  'at_hash',
  'c_hash',
  's_hash',
  'cnf',
  'sub_jwk',
  'scope',
  'client_id',
  'act',
  'may_act',
  'events',
  '_claim_names',
  '_claim_sources',
]);
