/** An upstream OpenID provider as the admin API shows it: its client secret never comes back. Times are epoch seconds. */
export interface IdpView {
  id: string;
  display_name: string;
  issuer: string;
  client_id: string;
  has_client_secret: boolean;
  token_endpoint_auth_method: string;
  scopes: string[];
  claim_mapping: Record<string, string>;
  trust_email_verified: boolean;
  enabled: boolean;
  /** What to register at the provider. */
  redirect_uri: string;
  created_at: number;
  updated_at: number;
}

export const IDP_AUTH_METHODS = ['client_secret_basic', 'client_secret_post'] as const;

export const idpKey = (id: string) => ['admin', 'idp', id] as const;
export const IDPS_KEY = ['admin', 'idps'] as const;
