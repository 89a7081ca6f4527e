import type { ClaimsRequest } from '@tessera/scopes';
import type { ResponseType } from '../clients/client';

/** A validated authorization request, kept in a challenge while the user logs in and consents. */
export interface AuthorizationRequest {
  clientId: string;
  redirectUri: string;
  /** Whether redirect_uri was sent: then the token request must repeat it (RFC 6749 §4.1.3). */
  redirectUriSent: boolean;
  responseType: ResponseType;
  responseMode: 'query' | 'fragment' | 'form_post';
  scope: string[];
  state?: string;
  nonce?: string;
  codeChallenge?: string;
  codeChallengeMethod?: 'S256';
  /** RFC 8707 resource indicators: the audience of the tokens the code yields. */
  resource: string[];
  prompt: string[];
  maxAge?: number;
  acrValues?: string[];
  loginHint?: string;
  uiLocales?: string[];
  /** OpenID Connect Core §3.1.2.1 `display`: page, popup, touch or wap (a hint for the UI). */
  display?: string;
  /** The `claims` parameter (§5.5) as parsed: which claims go to the ID token and to UserInfo. */
  claims?: ClaimsRequest;
  claimsLocales?: string[];
  /** The `sub` of a verified id_token_hint, as the client knows it (pairwise or public). */
  idTokenHintSub?: string;
  /**
   * Set when the request was started over because its browser came back with a challenge already
   * used (its answer lost on the way): a request is started over once, never again.
   */
  restarted?: true;
}

/** What an accepted login established: who, how and when (from the auth-service). */
export interface LoginResult {
  sub: string;
  loginSessionId: string;
  acr?: string;
  amr: string[];
  authTime: number;
  remember: boolean;
  /** When the login session expires: the OP session on top of it ends no later (ARCHITECTURE: it never outlives it). */
  loginSessionExpiresAt?: number;
}
