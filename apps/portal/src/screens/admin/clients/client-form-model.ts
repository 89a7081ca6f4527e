import type { Translate } from '../../../i18n/i18n';
import { lines, words } from '../lib/text';
import { BUILT_IN_EDITABLE, isBuiltIn, type ClientView } from './client-types';

export const GRANT_TYPES = ['authorization_code', 'refresh_token', 'client_credentials'] as const;
export const AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'] as const;
export const TOKEN_FORMATS = ['reference', 'jwt'] as const;
export const MFA_POLICIES = ['none', 'optional', 'required'] as const;

/** The form's fields, named as the API names them, so that its field errors land on them. */
export const CLIENT_FIELDS = [
  'client_name',
  'redirect_uris',
  'post_logout_redirect_uris',
  'grant_types',
  'token_endpoint_auth_method',
  'allowed_scopes',
  'required_scopes',
  'access_token_format',
  'default_audience',
  'access_token_ttl',
  'refresh_token_ttl',
  'mfa_policy',
  'backchannel_logout_uri',
  'jwks_uri',
] as const;
export type ClientField = (typeof CLIENT_FIELDS)[number];

/** The names the token service's messages use for the form's fields. */
export const CLIENT_FIELD_ALIASES: Record<string, ClientField> = {
  redirect_uri: 'redirect_uris',
  invalid_redirect_uri: 'redirect_uris',
  grant_type: 'grant_types',
  response_type: 'grant_types',
  response_types: 'grant_types',
  scope: 'allowed_scopes',
  require_pkce: 'token_endpoint_auth_method',
  jwks: 'jwks_uri',
  private_key_jwt: 'jwks_uri',
};

export interface ClientFormValues {
  client_name: string;
  redirect_uris: string;
  post_logout_redirect_uris: string;
  grant_types: string[];
  token_endpoint_auth_method: string;
  allowed_scopes: string;
  required_scopes: string;
  access_token_format: string;
  default_audience: string;
  access_token_ttl: string;
  refresh_token_ttl: string;
  mfa_policy: string;
  backchannel_logout_uri: string;
  jwks_uri: string;
  first_party: boolean;
  require_pkce: boolean;
}

export const EMPTY_CLIENT_FORM: ClientFormValues = {
  client_name: '',
  redirect_uris: '',
  post_logout_redirect_uris: '',
  grant_types: ['authorization_code', 'refresh_token'],
  token_endpoint_auth_method: 'client_secret_basic',
  allowed_scopes: 'openid profile email',
  required_scopes: '',
  access_token_format: 'reference',
  default_audience: '',
  access_token_ttl: '',
  refresh_token_ttl: '',
  mfa_policy: 'optional',
  backchannel_logout_uri: '',
  jwks_uri: '',
  first_party: false,
  require_pkce: true,
};

export function formFromClient(c: ClientView): ClientFormValues {
  const scopes = c.allowed_scopes ?? words(c.scope ?? '').map((scope) => ({ scope, required: false }));
  return {
    client_name: c.client_name ?? '',
    redirect_uris: (c.redirect_uris ?? []).join('\n'),
    post_logout_redirect_uris: (c.post_logout_redirect_uris ?? []).join('\n'),
    grant_types: c.grant_types ?? [],
    token_endpoint_auth_method: c.token_endpoint_auth_method,
    allowed_scopes: scopes.map((s) => s.scope).join(' '),
    required_scopes: scopes
      .filter((s) => s.required)
      .map((s) => s.scope)
      .join(' '),
    access_token_format: c.access_token_format ?? 'reference',
    default_audience: (c.default_audience ?? []).join('\n'),
    access_token_ttl: c.access_token_ttl === undefined ? '' : String(c.access_token_ttl),
    refresh_token_ttl: c.refresh_token_ttl === undefined ? '' : String(c.refresh_token_ttl),
    mfa_policy: c.mfa_policy ?? 'optional',
    backchannel_logout_uri: c.backchannel_logout_uri ?? '',
    jwks_uri: c.jwks_uri ?? '',
    first_party: c.first_party === true,
    require_pkce: c.require_pkce !== false,
  };
}

/** What the form can tell before asking the server; `builtIn`: only the fields a built-in client's form shows. */
export function checkClientForm(v: ClientFormValues, t: Translate, options: { builtIn?: boolean } = {}): Partial<Record<ClientField, string>> {
  const errors = checkAllFields(v, t);
  if (!options.builtIn) return errors;
  return Object.fromEntries(Object.entries(errors).filter(([field]) => (BUILT_IN_EDITABLE as readonly string[]).includes(field)));
}

function checkAllFields(v: ClientFormValues, t: Translate): Partial<Record<ClientField, string>> {
  const errors: Partial<Record<ClientField, string>> = {};
  if (!v.client_name.trim()) errors.client_name = t('field.required');
  if (v.grant_types.length === 0) errors.grant_types = t('admin.clients.form.grantTypes.required');
  if (v.grant_types.includes('authorization_code') && lines(v.redirect_uris).length === 0) errors.redirect_uris = t('admin.clients.form.redirectUris.required');
  if (v.grant_types.includes('client_credentials') && v.token_endpoint_auth_method === 'none') errors.grant_types = t('admin.clients.form.grantTypes.publicCredentials');
  const allowed = words(v.allowed_scopes);
  const notAllowed = words(v.required_scopes).filter((s) => !allowed.includes(s));
  if (notAllowed.length) errors.required_scopes = t('admin.clients.form.requiredScopes.notAllowed', { scopes: notAllowed.join(' ') });
  for (const [field, min, max] of [
    ['access_token_ttl', 60, 86_400],
    ['refresh_token_ttl', 60, 31_536_000],
  ] as const) {
    const raw = v[field].trim();
    if (raw && (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max)) errors[field] = t('admin.clients.form.ttl.range', { min, max });
  }
  return errors;
}

/**
 * The metadata to send. A create leaves out what is empty (the server's defaults apply); an edit
 * (PATCH) sends `null` for what was emptied, which resets it to its default. The edit of a
 * built-in client sends only the fields it lets an administrator change.
 */
export function metadataFromForm(v: ClientFormValues, mode: 'create' | 'edit', current?: ClientView): Record<string, unknown> {
  const empty = mode === 'create' ? undefined : null;
  const required = new Set(words(v.required_scopes));
  const ttl = (raw: string) => (raw.trim() ? Number(raw.trim()) : empty);
  const text = (raw: string) => raw.trim() || empty;
  if (mode === 'edit' && current && isBuiltIn(current)) {
    return { client_name: text(v.client_name), access_token_ttl: ttl(v.access_token_ttl), mfa_policy: v.mfa_policy };
  }
  const body: Record<string, unknown> = {
    client_name: text(v.client_name),
    redirect_uris: lines(v.redirect_uris),
    post_logout_redirect_uris: lines(v.post_logout_redirect_uris),
    grant_types: v.grant_types,
    token_endpoint_auth_method: v.token_endpoint_auth_method,
    allowed_scopes: words(v.allowed_scopes).map((scope) => ({ scope, required: required.has(scope) })),
    access_token_format: v.access_token_format,
    default_audience: lines(v.default_audience),
    access_token_ttl: ttl(v.access_token_ttl),
    refresh_token_ttl: ttl(v.refresh_token_ttl),
    refresh_tokens: v.grant_types.includes('refresh_token'),
    mfa_policy: v.mfa_policy,
    backchannel_logout_uri: text(v.backchannel_logout_uri),
    jwks_uri: v.token_endpoint_auth_method === 'private_key_jwt' ? text(v.jwks_uri) : empty,
    first_party: v.first_party,
    // A public client always uses PKCE: the server enforces it whatever is sent.
    require_pkce: v.token_endpoint_auth_method === 'none' ? true : v.require_pkce,
  };
  if (mode === 'edit') {
    // The response types follow the grant types unless the client registered hybrid ones that still fit.
    const types = current?.response_types ?? [];
    const usesCode = v.grant_types.includes('authorization_code');
    const keep = usesCode && types.length > 0 && types.every((rt) => rt.startsWith('code'));
    if (!keep) body['response_types'] = null;
  }
  return Object.fromEntries(Object.entries(body).filter(([, value]) => value !== undefined));
}
