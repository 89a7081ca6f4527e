import { FlowError } from '../http/flow-error';

/** OpenID Connect Core §5.1 string claims a user (or an admin) may set. */
const STRING_CLAIMS = [
  'name',
  'given_name',
  'family_name',
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
  'phone_number',
] as const;
const URL_CLAIMS = new Set(['profile', 'picture', 'website']);
const ADDRESS_FIELDS = ['formatted', 'street_address', 'locality', 'region', 'postal_code', 'country'];
/** Claims the service owns: set through their own flows (email change, verification), never as profile data. */
export const MANAGED_CLAIMS = new Set(['sub', 'email', 'email_verified', 'updated_at']);
/** Claims that belong to tokens, not people. */
const PROTOCOL_CLAIMS = new Set(['iss', 'aud', 'exp', 'iat', 'nbf', 'jti', 'auth_time', 'nonce', 'acr', 'amr', 'azp', 'sid', 'at_hash', 'c_hash', 'cnf', 'scope', 'client_id']);
const CLAIM_NAME = /^[a-z][a-z0-9_]{0,63}(#[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*)?$/;
const MAX_CLAIMS_BYTES = 16_384;

/**
 * Checks a profile change and returns it normalised: standard claims get their §5.1 types,
 * language-tagged variants (`name#ja-Kana-JP`, §5.2) are allowed, custom claims (released by
 * custom scopes) must have a plain name and a JSON value; `null` removes a claim.
 *
 * `selfService`: a person editing their own profile (the account API) may set only the standard
 * profile claims a person can vouch for. `phone_number_verified` says the OP checked the number,
 * and custom claims are directory data clients trust (an employee id, groups): only an
 * administrator sets those. A person changing their phone number loses its verified flag.
 */
export function validateProfileClaims(input: unknown, options: { selfService?: boolean } = {}): Record<string, unknown> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw invalid('The claims must be a JSON object.');
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    if (MANAGED_CLAIMS.has(key)) throw invalid(`"${key}" cannot be set as a profile claim.`);
    if (PROTOCOL_CLAIMS.has(key) || !CLAIM_NAME.test(key)) throw invalid(`"${key}" is not a claim name a profile may hold.`);
    if (value === null) {
      out[key] = null;
      continue;
    }
    const base = key.split('#')[0] as string;
    if (options.selfService && !(STRING_CLAIMS as readonly string[]).includes(base) && key !== 'address') {
      throw invalid(`"${key}" cannot be set on your own profile; the standard profile claims can (${STRING_CLAIMS.join(', ')}, address).`);
    }
    if ((STRING_CLAIMS as readonly string[]).includes(base)) {
      if (typeof value !== 'string' || value.length > 1024) throw invalid(`"${key}" must be a string of at most 1024 characters.`);
      if (URL_CLAIMS.has(base) && !/^https?:\/\//.test(value)) throw invalid(`"${key}" must be an http(s) URL.`);
      if (base === 'birthdate' && !/^(\d{4}|0000)(-\d{2}-\d{2})?$/.test(value)) throw invalid('"birthdate" must be YYYY-MM-DD or YYYY (OIDC Core section 5.1).');
      if (base === 'phone_number' && !/^\+?[0-9 ().-]{3,32}(;ext=\d+)?$/.test(value)) throw invalid('"phone_number" must be a telephone number, E.164 preferred.');
      if (base === 'locale' && !/^[A-Za-z]{2,8}([-_][A-Za-z0-9]{1,8})*$/.test(value)) throw invalid('"locale" must be a BCP 47 language tag.');
      out[key] = value;
    } else if (key === 'phone_number_verified') {
      if (typeof value !== 'boolean') throw invalid('"phone_number_verified" must be true or false.');
      out[key] = value;
    } else if (key === 'address') {
      if (typeof value !== 'object' || Array.isArray(value)) throw invalid('"address" must be a JSON object (OIDC Core section 5.1.1).');
      for (const [field, v] of Object.entries(value as Record<string, unknown>)) {
        if (!ADDRESS_FIELDS.includes(field)) throw invalid(`"address.${field}" is not an address field; use ${ADDRESS_FIELDS.join(', ')}.`);
        if (typeof v !== 'string' || v.length > 1024) throw invalid(`"address.${field}" must be a string.`);
      }
      out[key] = value;
    } else {
      out[key] = value;
    }
  }
  if (options.selfService && 'phone_number' in out) out['phone_number_verified'] = null;
  if (Buffer.byteLength(JSON.stringify(out)) > MAX_CLAIMS_BYTES) throw invalid(`The claims may take at most ${MAX_CLAIMS_BYTES} bytes.`);
  return out;
}

/** Applies a validated change: `null` removes the claim. */
export function mergeClaims(current: Record<string, unknown>, change: Record<string, unknown>): Record<string, unknown> {
  const merged = { ...current };
  for (const [key, value] of Object.entries(change)) {
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  return merged;
}

const invalid = (description: string) => new FlowError('invalid_request', description);
