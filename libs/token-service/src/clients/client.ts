import type { AcrValue } from '../oidc/acr';

/** Token endpoint authentication methods we support (RFC 7591 §2, RFC 7523). */
export const TOKEN_ENDPOINT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'] as const;
export type TokenEndpointAuthMethod = (typeof TOKEN_ENDPOINT_AUTH_METHODS)[number];

export const ACCESS_TOKEN_FORMATS = ['reference', 'jwt'] as const;
export type AccessTokenFormat = (typeof ACCESS_TOKEN_FORMATS)[number];

/** The algorithms Tessera signs with: one key per algorithm (RS256 is OpenID Connect's default). */
export const SIGNING_ALGS = ['ES256', 'RS256', 'PS256', 'EdDSA'] as const;
export type SigningAlgorithm = (typeof SIGNING_ALGS)[number];

/**
 * Response types (OAuth 2.0 Multiple Response Type Encoding Practices §5), each written in
 * this canonical order; a request may list the words in any order.
 */
export const RESPONSE_TYPES = ['code', 'id_token', 'id_token token', 'code id_token', 'code token', 'code id_token token'] as const;
export type ResponseType = (typeof RESPONSE_TYPES)[number];

export const SUBJECT_TYPES = ['public', 'pairwise'] as const;
export type SubjectType = (typeof SUBJECT_TYPES)[number];

export interface ClientScope {
  scope: string;
  /** Required scopes are always granted (consent cannot drop them); optional ones may be. */
  required: boolean;
}

/** A client as the token service knows it: RFC 7591 metadata plus Tessera's policy. */
export interface Client {
  clientId: string;
  clientName?: string;
  tokenEndpointAuthMethod: TokenEndpointAuthMethod;
  tokenEndpointAuthSigningAlg?: string;
  grantTypes: string[];
  responseTypes: ResponseType[];
  redirectUris: string[];
  jwks?: { keys: Record<string, unknown>[] };
  /** Where the client publishes its keys (RFC 7591 §2), fetched through the outbound client. */
  jwksUri?: string;
  scopes: ClientScope[];
  accessTokenFormat: AccessTokenFormat;
  accessTokenSigningAlg: SigningAlgorithm;
  defaultAudience: string[];
  accessTokenTtl: number;
  refreshTokenTtl: number;
  /** Trusted to hold refresh tokens. */
  refreshTokens: boolean;
  /**
   * Seconds during which a rotated-out refresh token, presented again, gets the same successor
   * (a retry after a lost response) instead of counting as reuse. 0: off, every reuse revokes.
   */
  refreshTokenGracePeriod: number;
  requirePkce: boolean;
  /** OpenID Connect Dynamic Client Registration §2: how ID tokens and UserInfo are signed. */
  idTokenSignedResponseAlg: SigningAlgorithm;
  /** Unset: UserInfo answers plain JSON. */
  userinfoSignedResponseAlg?: SigningAlgorithm;
  subjectType: SubjectType;
  /** The host pairwise subjects are computed for (from sector_identifier_uri or the redirect URIs). */
  sectorIdentifier?: string;
  sectorIdentifierUri?: string;
  /** The ID token always carries auth_time. */
  requireAuthTime: boolean;
  /** max_age applied when a request names none. */
  defaultMaxAge?: number;
  /**
   * OpenID Connect Registration §2: the acr values an authorization request asks for when it
   * names none (neither acr_values nor an acr claim). An administrator requiring MFA for a client
   * registers the MFA class: the login challenge then asks the authentication service for it.
   */
  defaultAcrValues?: AcrValue[];
  /** Unset: request objects signed with any algorithm Tessera verifies. */
  requestObjectSigningAlg?: string;
  /** Pre-registered request_uri values: the only remote request objects Tessera fetches. */
  requestUris: string[];
  /** RFC 9126 §6: every authorization request must come through /oauth2/par. */
  requirePushedAuthorizationRequests: boolean;
  /** OpenID Connect Back-Channel Logout 1.0 §2.2: where logout tokens are POSTed. */
  backchannelLogoutUri?: string;
  /** Back-Channel Logout §2.2: every logout token must carry `sid`. Unset: false. */
  backchannelLogoutSessionRequired?: boolean;
  /** RP-Initiated Logout 1.0 §3.1: where the client may ask to be sent after a logout (exact match). */
  postLogoutRedirectUris?: string[];
  /** Front-Channel Logout 1.0 §2: rendered in an iframe when the user logs out. */
  frontchannelLogoutUri?: string;
  /** Front-Channel Logout §2: the iframe URL carries `iss` and `sid`. Unset: false. */
  frontchannelLogoutSessionRequired?: boolean;
  mfaPolicy: 'none' | 'optional' | 'required';
  /** First-party clients skip consent. */
  firstParty: boolean;
  admin: boolean;
  /** Registered through /oauth2/register (RFC 7591) rather than the internal API. */
  dynamic: boolean;
  /** Display metadata echoed back as registered (client_uri, logo_uri, contacts, ...). */
  display: Record<string, unknown>;
  secretHash?: string;
  secretExpiresAt?: number;
  registrationAccessTokenHash?: string;
  /** "Revoke all access": tokens issued at or before this epoch second are inactive. */
  revokedBefore?: number;
  /**
   * Turned off by an administrator (the internal API, or a revocation that disables it): nothing
   * new is issued to it, and its tokens are inactive while it stays off (clients/disabled-client.ts).
   */
  disabled: boolean;
  createdAt: number;
  updatedAt: number;
}

export const isConfidential = (client: Client) => client.tokenEndpointAuthMethod !== 'none';
