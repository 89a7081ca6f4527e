/** A client as `GET /admin/api/clients/{id}` shows it: RFC 7591 metadata plus Tessera's policy. */
export interface ClientView {
  client_id: string;
  client_name?: string;
  /** Epoch seconds. */
  client_id_issued_at?: number;
  token_endpoint_auth_method: string;
  grant_types?: string[];
  response_types?: string[];
  redirect_uris?: string[];
  post_logout_redirect_uris?: string[];
  backchannel_logout_uri?: string;
  jwks_uri?: string;
  scope?: string;
  allowed_scopes?: Array<{ scope: string; required: boolean }>;
  access_token_format?: string;
  default_audience?: string[];
  access_token_ttl?: number;
  refresh_token_ttl?: number;
  refresh_tokens?: boolean;
  require_pkce?: boolean;
  mfa_policy?: string;
  first_party?: boolean;
  admin?: boolean;
  dynamic?: boolean;
  disabled?: boolean;
  /**
   * Registered by Tessera itself (the portal's client, tessera-cli): the token service puts its
   * settings back at every start, and refuses to delete or disable it, to rotate its secret, and
   * to change more than its name, lifetimes and sign-in requirements.
   */
  built_in?: boolean;
  /** Epoch seconds: tokens issued at or before it are inactive (a "revoke all access"). */
  revoked_before?: number;
  /** In a create's or a secret rotation's answer only. */
  client_secret?: string;
}

/** `POST /clients/{id}/revocations` and `GET /revocations/{id}`. */
export interface RevocationView {
  id: string;
  client_id: string;
  sub?: string;
  disable_client: boolean;
  status: 'pending' | 'completed';
  requested_by: string;
  requested_at: string;
  completed_at?: string;
  grants?: number;
  sessions?: number;
}

export const isPublicClient = (c: Pick<ClientView, 'token_endpoint_auth_method'>) => c.token_endpoint_auth_method === 'none';

/** A client with a shared secret to rotate (not a public client, not private_key_jwt). */
export const hasSecret = (c: Pick<ClientView, 'token_endpoint_auth_method'>) => c.token_endpoint_auth_method === 'client_secret_basic' || c.token_endpoint_auth_method === 'client_secret_post';

export const isBuiltIn = (c: Pick<ClientView, 'built_in'>) => c.built_in === true;

/** The form's fields a built-in client lets an administrator change (the token service's allow-list holds more). */
export const BUILT_IN_EDITABLE = ['client_name', 'access_token_ttl', 'mfa_policy'] as const;

/** The client's view without its secret: what may be kept in the query cache. */
export function withoutSecret(c: ClientView): ClientView {
  const { client_secret: _secret, ...rest } = c;
  return rest;
}

/** The query cache key of one client. */
export const clientKey = (id: string) => ['admin', 'client', id] as const;
