/** A validated authorization request, kept in a challenge while the user logs in and consents. */
export interface AuthorizationRequest {
  clientId: string;
  redirectUri: string;
  /** Whether redirect_uri was sent: then the token request must repeat it (RFC 6749 §4.1.3). */
  redirectUriSent: boolean;
  responseType: 'code';
  responseMode: 'query' | 'form_post';
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
}

/** What an accepted login established: who, how and when (from the auth-service). */
export interface LoginResult {
  sub: string;
  loginSessionId: string;
  acr?: string;
  amr: string[];
  authTime: number;
  remember: boolean;
}
