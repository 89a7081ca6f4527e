import { InvalidRequestError } from '@tessera/oauth-errors';

/**
 * The `claims` request parameter (OpenID Connect Core 1.0 §5.5): which individual claims a
 * client asks for, in the ID token and/or from the UserInfo endpoint.
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export type ClaimsRequestTarget = 'id_token' | 'userinfo';

/** One requested claim's qualifiers (§5.5.1). Members the OP does not understand are dropped. */
export interface ClaimRequest {
  readonly essential?: boolean;
  readonly value?: JsonValue;
  /** Never empty. Never together with `value` (see `parseClaimsRequest`). */
  readonly values?: readonly JsonValue[];
}

/**
 * Claim name (possibly language-tagged, possibly unknown to this OP) → `null` (requested with
 * default behaviour) or its qualifiers. A null-prototype object, so that any claim name,
 * `__proto__` included, is an ordinary own key; JSON-serializable as is.
 */
export type ClaimRequestMember = Readonly<Record<string, ClaimRequest | null>>;

export interface ClaimsRequest {
  readonly userinfo?: ClaimRequestMember;
  readonly id_token?: ClaimRequestMember;
}

/** Largest `claims` parameter accepted, in UTF-8 bytes. */
export const MAX_CLAIMS_REQUEST_BYTES = 8 * 1024;
/** Most claim entries accepted across `userinfo` and `id_token` together. */
export const MAX_CLAIMS_REQUEST_ENTRIES = 100;
/** Most elements accepted in one `values` array. */
export const MAX_CLAIM_VALUES = 100;

const TARGETS: readonly ClaimsRequestTarget[] = ['userinfo', 'id_token'];
/** Claims whose `value` / `values` must be strings: `sub` (§3.1.2.2, §5.5.1) and `acr` (§5.5.1.1). */
const STRING_VALUED = new Set(['sub', 'acr']);

/**
 * Parses the `claims` authorization request parameter (§5.5), throwing `InvalidRequestError`
 * with a description a developer can act on when it is not one.
 *
 * - The parameter must be a JSON object of at most `MAX_CLAIMS_REQUEST_BYTES`.
 * - `userinfo` and `id_token`, when present, must be JSON objects mapping claim names to `null`
 *   or an object. Other top-level members are ignored and dropped (§5.5: members not
 *   understood MUST be ignored), and so are members of a claim's object other than
 *   `essential`, `value` and `values`. An empty request (`{}`) is valid and asks for nothing.
 * - `essential` must be a boolean; `values` a non-empty array (of at most `MAX_CLAIM_VALUES`).
 * - `value` and `values` together are refused: §5.5.1 does not forbid it but gives the pair
 *   no meaning ("this value" vs "one of these"), and guessing is wrong for `acr`, where the
 *   answer decides whether authentication succeeded.
 * - For `sub` and `acr` the requested value(s) must be strings: both are string claims whose
 *   values the OP acts on.
 * - Claim names are kept as sent, unknown and language-tagged ones included; whether one is
 *   released is `releaseClaims`'s decision. At most `MAX_CLAIMS_REQUEST_ENTRIES` in total.
 * - A name repeated inside one JSON object keeps its last value (JSON.parse's rule).
 */
export function parseClaimsRequest(raw: string): ClaimsRequest {
  if (typeof raw !== 'string') {
    throw new InvalidRequestError('The claims parameter must be a JSON object sent as a string.');
  }
  const bytes = Buffer.byteLength(raw, 'utf8');
  if (bytes > MAX_CLAIMS_REQUEST_BYTES) {
    throw new InvalidRequestError(
      `The claims parameter is too large (${bytes} bytes); at most ${MAX_CLAIMS_REQUEST_BYTES} bytes are accepted.`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    throw new InvalidRequestError('The claims parameter is not valid JSON (OpenID Connect Core 1.0 section 5.5).', {
      cause: err,
      detail: err instanceof Error ? err.message : String(err),
    });
  }
  return validateClaimsRequest(parsed);
}

/**
 * Validates an already-decoded `claims` value, as found in a request object (§6.1, where
 * `claims` is a JSON object, not a string). The same rules as `parseClaimsRequest` except the
 * byte limit, which the request object's own limit covers.
 */
export function validateClaimsRequest(value: unknown): ClaimsRequest {
  if (!isJsonObject(value)) {
    throw new InvalidRequestError('The claims parameter must be a JSON object with userinfo and/or id_token members.');
  }
  const request: { userinfo?: ClaimRequestMember; id_token?: ClaimRequestMember } = {};
  let entries = 0;
  for (const target of TARGETS) {
    if (!Object.hasOwn(value, target)) continue;
    const member = value[target];
    if (!isJsonObject(member)) {
      throw new InvalidRequestError(
        `claims.${target} must be a JSON object mapping claim names to null or to an object with essential, value or values.`,
      );
    }
    const names = Object.keys(member);
    entries += names.length;
    if (entries > MAX_CLAIMS_REQUEST_ENTRIES) {
      throw new InvalidRequestError(
        `The claims parameter names too many claims; at most ${MAX_CLAIMS_REQUEST_ENTRIES} are accepted in userinfo and id_token together.`,
      );
    }
    const parsed: Record<string, ClaimRequest | null> = Object.create(null);
    for (const name of names) parsed[name] = parseClaimRequest(member[name], `claims.${target}.${safe(name)}`, name);
    request[target] = parsed;
  }
  return request;
}

function parseClaimRequest(entry: unknown, path: string, name: string): ClaimRequest | null {
  if (entry === null) return null;
  if (!isJsonObject(entry)) {
    throw new InvalidRequestError(`${path} must be null or a JSON object with essential, value or values.`);
  }
  const result: { essential?: boolean; value?: JsonValue; values?: JsonValue[] } = {};

  if (Object.hasOwn(entry, 'essential')) {
    if (typeof entry['essential'] !== 'boolean') throw new InvalidRequestError(`${path}.essential must be true or false.`);
    result.essential = entry['essential'];
  }

  const hasValue = Object.hasOwn(entry, 'value');
  const hasValues = Object.hasOwn(entry, 'values');
  if (hasValue && hasValues) {
    throw new InvalidRequestError(`${path} has both value and values; send value for one value or values for a list.`);
  }
  const mustBeString = STRING_VALUED.has(name);
  if (hasValue) {
    const v = entry['value'] as JsonValue;
    if (mustBeString && typeof v !== 'string') throw new InvalidRequestError(`${path}.value must be a string.`);
    result.value = v;
  }
  if (hasValues) {
    const vs = entry['values'];
    if (!Array.isArray(vs) || vs.length === 0) {
      throw new InvalidRequestError(`${path}.values must be a non-empty array, in order of preference.`);
    }
    if (vs.length > MAX_CLAIM_VALUES) {
      throw new InvalidRequestError(`${path}.values has too many elements; at most ${MAX_CLAIM_VALUES} are accepted.`);
    }
    if (mustBeString && !vs.every((v) => typeof v === 'string')) {
      throw new InvalidRequestError(`${path}.values must be an array of strings.`);
    }
    result.values = [...(vs as JsonValue[])];
  }
  return result;
}

/**
 * The claim names requested for one target, as sent (language-tagged and unknown names
 * included), in the request's order. Filter with `ScopeRegistry.isKnownClaim` for display.
 */
export function claimsRequestedNames(request: ClaimsRequest, target: ClaimsRequestTarget): string[] {
  const member = request[target];
  return member === undefined ? [] : Object.keys(member);
}

export interface RequestedAcr {
  /** Whether `acr` is an Essential Claim (§5.5.1.1): failing it fails authentication. */
  readonly essential: boolean;
  /** The acceptable values in order of preference; empty when any `acr` will do. */
  readonly values: readonly string[];
}

/**
 * The `acr` claim requested in `id_token` (§5.5.1.1), essential or voluntary, or undefined
 * when it is not requested. A voluntary request is equivalent to `acr_values` (§3.1.2.1).
 */
export function requestedAcr(request: ClaimsRequest): RequestedAcr | undefined {
  const member = request.id_token;
  if (member === undefined || !Object.hasOwn(member, 'acr')) return undefined;
  const entry = member['acr'];
  if (entry === null) return { essential: false, values: [] };
  const values = entry.values ?? (entry.value === undefined ? [] : [entry.value]);
  return { essential: entry.essential === true, values: values.filter((v): v is string => typeof v === 'string') };
}

/**
 * The acceptable `acr` values when the client made `acr` an Essential Claim of the ID token
 * with `value` or `values` (§5.5.1.1): the token service must authenticate the user at one of
 * them or fail the request. Undefined when `acr` is not essential or names no value (use
 * `requestedAcr` for the voluntary form, which is honoured like `acr_values`).
 */
export function essentialAcrValues(request: ClaimsRequest): string[] | undefined {
  const acr = requestedAcr(request);
  return acr !== undefined && acr.essential && acr.values.length > 0 ? [...acr.values] : undefined;
}

function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A claim name as it may appear in an error_description: RFC 6749 §5.2 allows only
 * %x20-21 / %x23-5B / %x5D-7E there, so anything else becomes `?`, and long names are cut.
 */
function safe(name: string): string {
  const printable = name.replace(/[^\x20\x21\x23-\x5B\x5D-\x7E]/g, '?');
  return printable.length > 64 ? `${printable.slice(0, 61)}...` : printable;
}
