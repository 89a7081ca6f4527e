import { createPublicKey, type JsonWebKey } from 'node:crypto';
import { InvalidClientMetadataError, InvalidRedirectUriError } from '@tessera/oauth-errors';
import { sectorIdentifierOf } from '@tessera/token-formats';
import { ACR_VALUES, isAcrValue } from '../oidc/acr';
import { isBuiltInClient } from './built-in-clients';
import { logoutMetadataView, parseLogoutMetadata } from './logout-metadata';
import {
  ACCESS_TOKEN_FORMATS,
  RESPONSE_TYPES,
  SIGNING_ALGS,
  SUBJECT_TYPES,
  TOKEN_ENDPOINT_AUTH_METHODS,
  type Client,
  type ClientScope,
  type ResponseType,
} from './client';

/** Grant types this server implements; legacy ones only for clients an admin enabled them for. */
export const SUPPORTED_GRANT_TYPES = ['authorization_code', 'refresh_token', 'client_credentials'] as const;
export const LEGACY_GRANT_TYPES = ['implicit', 'password'] as const;
export const ASSERTION_ALGS = ['ES256', 'ES384', 'ES512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'EdDSA'];

const DISPLAY_FIELDS = ['client_uri', 'logo_uri', 'tos_uri', 'policy_uri', 'software_id', 'software_version'] as const;
const URI_DISPLAY_FIELDS = new Set(['client_uri', 'logo_uri', 'tos_uri', 'policy_uri']);

export interface MetadataPolicy {
  /** `dynamic`: RFC 7591 registration, held to the allow-list and defaults. `managed`: internal API. */
  mode: 'dynamic' | 'managed';
  registrationScopes: string[];
  defaults: { accessTokenTtl: number; refreshTokenTtl: number };
  /**
   * TESSERA_OUTBOUND_ALLOW_PRIVATE (tests): URIs the server itself calls (backchannel_logout_uri)
   * may then use http on a loopback host, as the outbound client allows.
   */
  outboundAllowPrivate?: boolean;
}

/** The client's properties that come from metadata (no ids, credentials or timestamps). */
export type ClientProperties = Omit<
  Client,
  'clientId' | 'secretHash' | 'secretExpiresAt' | 'registrationAccessTokenHash' | 'revokedBefore' | 'disabled' | 'createdAt' | 'updatedAt'
>;

/**
 * Validates client metadata (RFC 7591 §2) into the client's properties. Known fields are
 * checked with RFC 7591's error codes; unknown fields are ignored, as §2 requires. In dynamic
 * mode, Tessera's own policy fields are unknown (ignored): only an admin can set them.
 */
export function parseClientMetadata(input: unknown, policy: MetadataPolicy): ClientProperties {
  if (!isPlainObject(input)) throw new InvalidClientMetadataError('The request body must be a JSON object of client metadata.');
  const m = input;
  const managed = policy.mode === 'managed';

  const authMethod = oneOf(m, 'token_endpoint_auth_method', TOKEN_ENDPOINT_AUTH_METHODS) ?? 'client_secret_basic';
  const grantTypes = stringArray(m, 'grant_types') ?? ['authorization_code'];
  const allowedGrants: readonly string[] = managed ? [...SUPPORTED_GRANT_TYPES, ...LEGACY_GRANT_TYPES] : SUPPORTED_GRANT_TYPES;
  for (const g of grantTypes) {
    if (!allowedGrants.includes(g)) {
      throw new InvalidClientMetadataError(
        (LEGACY_GRANT_TYPES as readonly string[]).includes(g)
          ? `grant_type "${g}" is a legacy grant that only an administrator can enable for a client.`
          : `grant_type "${g}" is not supported. Supported: ${allowedGrants.join(', ')}.`,
      );
    }
  }
  if (grantTypes.includes('client_credentials') && authMethod === 'none') {
    throw new InvalidClientMetadataError('A public client (token_endpoint_auth_method "none") cannot use client_credentials.');
  }
  const responseTypes = parseResponseTypes(m, grantTypes);
  const usesCode = responseTypes.some((rt) => rt.startsWith('code'));
  const usesImplicit = responseTypes.some((rt) => rt !== 'code');
  // OpenID Connect Registration §2: response type -> grant type. code needs authorization_code;
  // anything returning tokens from the authorization endpoint needs implicit.
  if (usesCode && !grantTypes.includes('authorization_code')) {
    throw new InvalidClientMetadataError('response_types with "code" require grant_types to include "authorization_code" (RFC 7591 §2.1).');
  }
  if (usesImplicit && !grantTypes.includes('implicit')) {
    throw new InvalidClientMetadataError('response_types returning an id_token or token from the authorization endpoint require the "implicit" grant type (OpenID Connect Registration §2).');
  }
  if (grantTypes.includes('authorization_code') && !usesCode) {
    throw new InvalidClientMetadataError('grant_types "authorization_code" requires a response type with "code" (RFC 7591 §2.1).');
  }
  if (grantTypes.includes('implicit') && !usesImplicit) {
    throw new InvalidClientMetadataError('grant_types "implicit" requires a response type returning an id_token or token (RFC 7591 §2.1).');
  }
  const applicationType = oneOf(m, 'application_type', ['web', 'native'] as const) ?? 'web';

  const redirectUris = parseRedirectUris(m, responseTypes.length > 0);
  if (usesImplicit && applicationType === 'web') {
    // OpenID Connect Registration §2 (application_type): a web client of the implicit flow
    // registers only https redirect URIs, never localhost.
    const unsafe = redirectUris.find((uri) => {
      const url = new URL(uri);
      return url.protocol !== 'https:' || url.hostname === 'localhost';
    });
    if (unsafe) throw new InvalidRedirectUriError(`redirect_uri "${unsafe}": a web client using the implicit grant must register https URIs that are not localhost.`);
  }
  const oidc = parseOpenIdMetadata(m, redirectUris);

  const jwks = m['jwks'];
  if (jwks !== undefined && !(isPlainObject(jwks) && Array.isArray(jwks['keys']) && jwks['keys'].every(isPlainObject))) {
    throw new InvalidClientMetadataError('jwks must be a JWK Set: an object with a "keys" array.');
  }
  const jwksUri = optionalString(m, 'jwks_uri');
  if (jwksUri !== undefined && !isHttpsUrl(jwksUri)) throw new InvalidClientMetadataError('jwks_uri must be an https URL.');
  // RFC 7591 §2: the two MUST NOT both be present.
  if (jwksUri !== undefined && jwks !== undefined) throw new InvalidClientMetadataError('Register either jwks or jwks_uri, not both.');
  if (jwks && (jwks as { keys: Record<string, unknown>[] }).keys.some((k) => 'd' in k || 'k' in k)) {
    throw new InvalidClientMetadataError('jwks must contain public keys only.');
  }
  for (const key of (jwks as { keys: Record<string, unknown>[] } | undefined)?.keys ?? []) {
    try {
      createPublicKey({ key: key as JsonWebKey, format: 'jwk' });
    } catch {
      throw new InvalidClientMetadataError(`jwks: the key${typeof key['kid'] === 'string' ? ` "${key['kid']}"` : ''} is not a valid public JWK.`);
    }
  }
  if (authMethod === 'private_key_jwt' && !jwksUri && !(jwks as { keys: unknown[] } | undefined)?.keys.length) {
    throw new InvalidClientMetadataError('private_key_jwt needs the client\'s public keys in "jwks" or at "jwks_uri".');
  }
  const assertionAlg = oneOf(m, 'token_endpoint_auth_signing_alg', ASSERTION_ALGS);

  const requestedScope = optionalString(m, 'scope');
  let scopes: ClientScope[];
  if (managed && m['allowed_scopes'] !== undefined) {
    scopes = parseAllowedScopes(m['allowed_scopes']);
  } else if (requestedScope !== undefined) {
    const list = splitScope(requestedScope);
    if (!managed) {
      const refused = list.filter((s) => !policy.registrationScopes.includes(s));
      if (refused.length) {
        throw new InvalidClientMetadataError(`scope ${refused.map((s) => `"${s}"`).join(', ')} may not be registered dynamically. Allowed: ${policy.registrationScopes.join(' ')}.`);
      }
    }
    scopes = list.map((scope) => ({ scope, required: false }));
  } else {
    scopes = managed ? [] : policy.registrationScopes.filter((s) => s === 'openid').map((scope) => ({ scope, required: false }));
  }

  const display: Record<string, unknown> = {};
  for (const field of DISPLAY_FIELDS) {
    const value = optionalString(m, field);
    if (value === undefined) continue;
    if (URI_DISPLAY_FIELDS.has(field) && !isHttpUrl(value)) throw new InvalidClientMetadataError(`${field} must be an http(s) URL.`);
    display[field] = value;
  }
  const contacts = stringArray(m, 'contacts');
  if (contacts) display['contacts'] = contacts;

  const props: ClientProperties = {
    clientName: optionalString(m, 'client_name'),
    tokenEndpointAuthMethod: authMethod,
    tokenEndpointAuthSigningAlg: assertionAlg,
    grantTypes,
    responseTypes,
    redirectUris,
    jwks: jwks as ClientProperties['jwks'],
    jwksUri,
    scopes,
    accessTokenFormat: 'reference',
    accessTokenSigningAlg: 'ES256',
    defaultAudience: [],
    accessTokenTtl: policy.defaults.accessTokenTtl,
    refreshTokenTtl: policy.defaults.refreshTokenTtl,
    refreshTokens: grantTypes.includes('refresh_token'),
    refreshTokenGracePeriod: 0,
    requirePkce: authMethod === 'none',
    ...oidc,
    ...parseBackchannelLogout(m, policy.outboundAllowPrivate === true),
    ...parseLogoutMetadata(m),
    mfaPolicy: 'optional',
    firstParty: false,
    admin: false,
    dynamic: !managed,
    display,
  };
  if (!managed) return props;

  return {
    ...props,
    accessTokenFormat: oneOf(m, 'access_token_format', ACCESS_TOKEN_FORMATS) ?? props.accessTokenFormat,
    accessTokenSigningAlg: oneOf(m, 'access_token_signing_alg', SIGNING_ALGS) ?? props.accessTokenSigningAlg,
    defaultAudience: (stringArray(m, 'default_audience') ?? []).map((aud) => {
      if (!isAbsoluteUri(aud)) throw new InvalidClientMetadataError(`default_audience "${aud}" must be an absolute URI.`);
      return aud;
    }),
    accessTokenTtl: integer(m, 'access_token_ttl', 60, 86_400) ?? props.accessTokenTtl,
    refreshTokenTtl: integer(m, 'refresh_token_ttl', 60, 31_536_000) ?? props.refreshTokenTtl,
    refreshTokens: boolean(m, 'refresh_tokens') ?? props.refreshTokens,
    // At most 5 minutes: long enough for a client to retry after a lost response, short enough
    // that a stolen, already rotated token is still caught as reuse.
    refreshTokenGracePeriod: integer(m, 'refresh_token_grace_period', 0, 300) ?? props.refreshTokenGracePeriod,
    requirePkce: authMethod === 'none' ? true : (boolean(m, 'require_pkce') ?? false),
    mfaPolicy: oneOf(m, 'mfa_policy', ['none', 'optional', 'required'] as const) ?? props.mfaPolicy,
    firstParty: boolean(m, 'first_party') ?? false,
    admin: boolean(m, 'admin') ?? false,
  };
}

/**
 * The RFC 7591 response view of a client. `policy` adds Tessera's own fields, for the internal
 * (admin) API only: a dynamically registered client is not told about policy it cannot set.
 */
export function clientMetadataView(client: Client, { policy = false } = {}): Record<string, unknown> {
  const view: Record<string, unknown> = {
    client_id: client.clientId,
    client_id_issued_at: client.createdAt,
    client_name: client.clientName,
    token_endpoint_auth_method: client.tokenEndpointAuthMethod,
    token_endpoint_auth_signing_alg: client.tokenEndpointAuthSigningAlg,
    grant_types: client.grantTypes,
    response_types: client.responseTypes,
    redirect_uris: client.redirectUris,
    jwks: client.jwks,
    jwks_uri: client.jwksUri,
    scope: client.scopes.map((s) => s.scope).join(' ') || undefined,
    id_token_signed_response_alg: client.idTokenSignedResponseAlg,
    userinfo_signed_response_alg: client.userinfoSignedResponseAlg,
    subject_type: client.subjectType,
    sector_identifier_uri: client.sectorIdentifierUri,
    require_auth_time: client.requireAuthTime || undefined,
    default_max_age: client.defaultMaxAge,
    default_acr_values: client.defaultAcrValues?.length ? client.defaultAcrValues : undefined,
    request_object_signing_alg: client.requestObjectSigningAlg,
    request_uris: client.requestUris?.length ? client.requestUris : undefined,
    require_pushed_authorization_requests: client.requirePushedAuthorizationRequests || undefined,
    backchannel_logout_uri: client.backchannelLogoutUri,
    backchannel_logout_session_required:
      client.backchannelLogoutUri !== undefined ? client.backchannelLogoutSessionRequired === true : client.backchannelLogoutSessionRequired || undefined,
    ...logoutMetadataView(client),
    ...client.display,
  };
  if (client.tokenEndpointAuthMethod === 'client_secret_basic' || client.tokenEndpointAuthMethod === 'client_secret_post') {
    view['client_secret_expires_at'] = client.secretExpiresAt ?? 0;
  }
  if (policy) {
    Object.assign(view, {
      dynamic: client.dynamic,
      allowed_scopes: client.scopes,
      access_token_format: client.accessTokenFormat,
      access_token_signing_alg: client.accessTokenSigningAlg,
      default_audience: client.defaultAudience,
      access_token_ttl: client.accessTokenTtl,
      refresh_token_ttl: client.refreshTokenTtl,
      refresh_tokens: client.refreshTokens,
      refresh_token_grace_period: client.refreshTokenGracePeriod,
      require_pkce: client.requirePkce,
      mfa_policy: client.mfaPolicy,
      first_party: client.firstParty,
      admin: client.admin,
      revoked_before: client.revokedBefore,
      // Read-only here, like revoked_before: POST /internal/clients/{id}/disable and /enable change it.
      disabled: client.disabled,
      // Read-only: registered by the platform, its settings put back at every start; only
      // BUILT_IN_EDITABLE_FIELDS may change, and it cannot be deleted or disabled (built-in-clients.ts).
      built_in: isBuiltInClient(client.clientId),
    });
  }
  return Object.fromEntries(Object.entries(view).filter(([, v]) => v !== undefined));
}

/** Canonical word order: a request may say "id_token code", the registry says "code id_token". */
export function canonicalResponseType(value: string): string {
  const words = value.split(' ').filter(Boolean);
  const order = ['code', 'id_token', 'token'];
  const known = words.every((w) => order.includes(w)) && new Set(words).size === words.length;
  return known ? [...words].sort((a, b) => order.indexOf(a) - order.indexOf(b)).join(' ') : value;
}

export const isResponseType = (value: string): value is ResponseType => (RESPONSE_TYPES as readonly string[]).includes(value);

function parseResponseTypes(m: Record<string, unknown>, grantTypes: string[]): ResponseType[] {
  const listed = stringArray(m, 'response_types');
  if (listed === undefined) return grantTypes.includes('authorization_code') ? ['code'] : [];
  const types = [...new Set(listed.map(canonicalResponseType))];
  for (const rt of types) {
    if (!isResponseType(rt)) throw new InvalidClientMetadataError(`response_type "${rt}" is not supported. Supported: ${RESPONSE_TYPES.join(', ')}.`);
  }
  return types as ResponseType[];
}

// Encryption (JWE) of ID tokens, UserInfo and request objects is not offered: say so rather than
// silently answer in clear what a client registered to receive encrypted.
const ENCRYPTION_FIELDS = [
  'id_token_encrypted_response_alg',
  'id_token_encrypted_response_enc',
  'userinfo_encrypted_response_alg',
  'userinfo_encrypted_response_enc',
  'request_object_encryption_alg',
  'request_object_encryption_enc',
  'authorization_encrypted_response_alg',
];

/** OpenID Connect Dynamic Client Registration §2 and RFC 9126 §6. */
function parseOpenIdMetadata(m: Record<string, unknown>, redirectUris: string[]) {
  for (const field of ENCRYPTION_FIELDS) {
    if (m[field] !== undefined && m[field] !== null) throw new InvalidClientMetadataError(`${field}: encrypted responses and request objects are not supported.`);
  }
  const subjectType = oneOf(m, 'subject_type', SUBJECT_TYPES) ?? 'public';
  const sectorIdentifierUri = optionalString(m, 'sector_identifier_uri');
  if (sectorIdentifierUri !== undefined && !isHttpsUrl(sectorIdentifierUri)) {
    throw new InvalidClientMetadataError('sector_identifier_uri must be an https URL.');
  }
  let sectorIdentifier: string | undefined;
  if (subjectType === 'pairwise' || sectorIdentifierUri !== undefined) {
    try {
      sectorIdentifier = sectorIdentifierOf(redirectUris, sectorIdentifierUri);
    } catch (err) {
      // OpenID Connect Core §8.1: without a single redirect host, the sector must be registered.
      throw new InvalidClientMetadataError(`${(err as Error).message} (OpenID Connect Core §8.1).`);
    }
  }
  const defaultAcrValues = stringArray(m, 'default_acr_values');
  const unsupportedAcr = defaultAcrValues?.find((v) => !isAcrValue(v));
  if (unsupportedAcr !== undefined) {
    throw new InvalidClientMetadataError(`default_acr_values: "${unsupportedAcr}" is not an acr value this server supports. Supported: ${ACR_VALUES.join(', ')}.`);
  }
  const requestUris = (stringArray(m, 'request_uris') ?? []).map((uri) => {
    if (!isHttpsUrl(uri)) throw new InvalidClientMetadataError(`request_uris: "${uri}" must be an https URL.`);
    return uri;
  });
  return {
    idTokenSignedResponseAlg: oneOf(m, 'id_token_signed_response_alg', SIGNING_ALGS) ?? 'RS256',
    userinfoSignedResponseAlg: oneOf(m, 'userinfo_signed_response_alg', SIGNING_ALGS),
    subjectType,
    sectorIdentifier,
    sectorIdentifierUri,
    requireAuthTime: boolean(m, 'require_auth_time') ?? false,
    defaultMaxAge: integer(m, 'default_max_age', 0, 31_536_000),
    defaultAcrValues: defaultAcrValues?.length ? defaultAcrValues.filter(isAcrValue) : undefined,
    requestObjectSigningAlg: oneOf(m, 'request_object_signing_alg', ASSERTION_ALGS),
    requestUris,
    requirePushedAuthorizationRequests: boolean(m, 'require_pushed_authorization_requests') ?? false,
  };
}

/**
 * OpenID Connect Back-Channel Logout 1.0 §2.2: an absolute URI without a fragment, which the
 * token service POSTs to through the outbound client: https, or http on a loopback host when
 * outbound requests may reach private addresses (tests). The outbound client checks the
 * address it resolves to at every delivery.
 */
function parseBackchannelLogout(m: Record<string, unknown>, allowLoopbackHttp: boolean) {
  const uri = optionalString(m, 'backchannel_logout_uri');
  const sessionRequired = boolean(m, 'backchannel_logout_session_required');
  if (uri !== undefined) {
    let url: URL;
    try {
      url = new URL(uri);
    } catch {
      throw new InvalidClientMetadataError(`backchannel_logout_uri "${uri}" is not an absolute URI.`);
    }
    if (url.hash || uri.includes('#')) {
      throw new InvalidClientMetadataError('backchannel_logout_uri must not contain a fragment (Back-Channel Logout §2.2).');
    }
    if (url.username || url.password) throw new InvalidClientMetadataError('backchannel_logout_uri must not contain credentials.');
    const loopback = url.hostname === 'localhost' || url.hostname === '127.0.0.1' || url.hostname === '[::1]';
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback && allowLoopbackHttp)) {
      throw new InvalidClientMetadataError('backchannel_logout_uri must be an https URL.');
    }
  }
  return { backchannelLogoutUri: uri, backchannelLogoutSessionRequired: sessionRequired };
}

function isHttpsUrl(v: string): boolean {
  try {
    return new URL(v).protocol === 'https:';
  } catch {
    return false;
  }
}

export const splitScope = (scope: string) => [...new Set(scope.split(' ').filter(Boolean))];

function parseRedirectUris(m: Record<string, unknown>, needed: boolean): string[] {
  const uris = m['redirect_uris'];
  if (uris === undefined || (needed && Array.isArray(uris) && uris.length === 0)) {
    if (needed) throw new InvalidRedirectUriError('redirect_uris is required for the authorization_code grant.');
    return [];
  }
  if (!Array.isArray(uris) || !uris.every((u) => typeof u === 'string')) {
    throw new InvalidRedirectUriError('redirect_uris must be an array of strings.');
  }
  for (const uri of uris as string[]) {
    let url: URL;
    try {
      url = new URL(uri);
    } catch {
      throw new InvalidRedirectUriError(`redirect_uri "${uri}" is not an absolute URI.`);
    }
    if (url.hash || uri.includes('#')) throw new InvalidRedirectUriError(`redirect_uri "${uri}" must not contain a fragment (RFC 6749 §3.1.2).`);
    if (url.protocol === 'javascript:' || url.protocol === 'data:') throw new InvalidRedirectUriError(`redirect_uri "${uri}" uses a forbidden scheme.`);
    const loopback = url.hostname === 'localhost' || url.hostname === '127.0.0.1' || url.hostname === '[::1]';
    // RFC 9700 §2.1 / RFC 8252 §7.3: plain http only for loopback redirects, for every client type
    // (a native public client uses loopback or a private-use scheme, never http to a remote host).
    if (url.protocol === 'http:' && !loopback) {
      throw new InvalidRedirectUriError(`redirect_uri "${uri}" must use https (http is only allowed for loopback addresses).`);
    }
  }
  return uris as string[];
}

function parseAllowedScopes(value: unknown): ClientScope[] {
  if (!Array.isArray(value)) throw new InvalidClientMetadataError('allowed_scopes must be an array of { scope, required }.');
  return value.map((entry) => {
    if (typeof entry === 'string' && isScopeToken(entry)) return { scope: entry, required: false };
    if (isPlainObject(entry) && typeof entry['scope'] === 'string' && isScopeToken(entry['scope'])) {
      return { scope: entry['scope'], required: entry['required'] === true };
    }
    throw new InvalidClientMetadataError('allowed_scopes entries must be scope strings or { scope, required } objects.');
  });
}

const isScopeToken = (s: string) => /^[\x21\x23-\x5B\x5D-\x7E]+$/.test(s); // RFC 6749 §3.3 scope-token

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function optionalString(m: Record<string, unknown>, key: string): string | undefined {
  const v = m[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || v.length > 2048) throw new InvalidClientMetadataError(`${key} must be a string of at most 2048 characters.`);
  return v;
}

function stringArray(m: Record<string, unknown>, key: string): string[] | undefined {
  const v = m[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.length > 100 || !v.every((x) => typeof x === 'string' && x.length <= 2048)) {
    throw new InvalidClientMetadataError(`${key} must be an array of strings.`);
  }
  return [...new Set(v as string[])];
}

function oneOf<T extends string>(m: Record<string, unknown>, key: string, allowed: readonly T[]): T | undefined {
  const v = m[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || !allowed.includes(v as T)) {
    throw new InvalidClientMetadataError(`${key} must be one of: ${allowed.join(', ')}.`);
  }
  return v as T;
}

function integer(m: Record<string, unknown>, key: string, min: number, max: number): number | undefined {
  const v = m[key];
  if (v === undefined || v === null) return undefined;
  if (!Number.isInteger(v) || (v as number) < min || (v as number) > max) {
    throw new InvalidClientMetadataError(`${key} must be a whole number of seconds from ${min} to ${max}.`);
  }
  return v as number;
}

function boolean(m: Record<string, unknown>, key: string): boolean | undefined {
  const v = m[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw new InvalidClientMetadataError(`${key} must be true or false.`);
  return v;
}

function isHttpUrl(v: string): boolean {
  try {
    const u = new URL(v);
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
}

export function isAbsoluteUri(v: string): boolean {
  try {
    const u = new URL(v);
    return !u.hash && !v.includes('#');
  } catch {
    return false;
  }
}
