import * as oauth from 'oauth4webapi';
import { navigate } from './navigate';
import { issuerOrigin, PORTAL_CLIENT_ID, PURPOSES, redirectUri, type TokenPurpose } from './portal-client';

export type { TokenPurpose } from './portal-client';

/**
 * The portal's tokens: held in this page's memory only (never storage, never cookies), and
 * renewed through the OP session with a top-level authorization-code redirect (PKCE), never in
 * an iframe: every page forbids framing. `prompt=none` when the page already held a token, so a
 * renewal never shows a login page by surprise; without an OP session the person signs in.
 */
export interface HeldToken {
  accessToken: string;
  /** Epoch milliseconds. */
  expiresAt: number;
  scope: string[];
  claims: oauth.IDToken;
  idToken: string;
}

const tokens = new Map<TokenPurpose, HeldToken>();
const heldBefore = new Set<TokenPurpose>();
const PENDING_PREFIX = 'tessera.authorization.';
/** A token this close to expiry is renewed before use rather than sent and refused. */
const EXPIRY_MARGIN_MS = 15_000;

const client: oauth.Client = { client_id: PORTAL_CLIENT_ID, token_endpoint_auth_method: 'none' };

let discovered: Promise<oauth.AuthorizationServer> | undefined;
function authorizationServer(): Promise<oauth.AuthorizationServer> {
  const issuer = new URL(issuerOrigin());
  // Loopback development issuers are http; oauth4webapi wants that said out loud.
  const options = issuer.protocol === 'http:' ? { [oauth.allowInsecureRequests]: true } : {};
  discovered ??= oauth
    .discoveryRequest(issuer, options)
    .then((response) => oauth.processDiscoveryResponse(issuer, response))
    .catch((err) => {
      discovered = undefined;
      throw err;
    });
  return discovered;
}

const requestOptions = () => (issuerOrigin().startsWith('http:') ? { [oauth.allowInsecureRequests]: true } : {});

interface PendingAuthorization {
  purpose: TokenPurpose;
  verifier: string;
  nonce: string;
  returnTo: string;
}

export interface SignInOptions {
  /** Where to come back to: a path on this origin. */
  returnTo?: string;
  prompt?: 'none' | 'login';
  /** Ask for a sign-in at most this many seconds old (a step-up before a sensitive change). */
  maxAge?: number;
  uiLocales?: string;
}

/** Navigates the whole page to the authorization endpoint; the returned promise never settles. */
export async function signIn(purpose: TokenPurpose, options: SignInOptions = {}): Promise<never> {
  const as = await authorizationServer();
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const nonce = oauth.generateRandomNonce();
  const pending: PendingAuthorization = { purpose, verifier, nonce, returnTo: safeReturnTo(options.returnTo ?? currentPath()) };
  // The verifier must survive the redirect; it is not a token and is useless without the code.
  window.sessionStorage.setItem(PENDING_PREFIX + state, JSON.stringify(pending));
  const url = new URL(as.authorization_endpoint ?? `${issuerOrigin()}/oauth2/authorize`);
  const { scope, resource } = PURPOSES[purpose];
  url.search = new URLSearchParams({
    client_id: PORTAL_CLIENT_ID,
    redirect_uri: redirectUri(),
    response_type: 'code',
    scope,
    state,
    nonce,
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    ...(resource ? { resource: resource() } : {}),
    ...(options.prompt ? { prompt: options.prompt } : {}),
    ...(options.maxAge !== undefined ? { max_age: String(options.maxAge) } : {}),
    ...(options.uiLocales ? { ui_locales: options.uiLocales } : {}),
  }).toString();
  navigate(url.toString());
  return new Promise<never>(() => undefined);
}

export class SignInError extends Error {
  constructor(
    readonly code: string,
    readonly description: string,
    readonly purpose?: TokenPurpose,
    readonly returnTo?: string,
  ) {
    super(description || code);
  }
}

/**
 * The redirect back (`/callback`): checks `state` and `iss` (RFC 9207), redeems the code with
 * the PKCE verifier, checks the ID token's nonce, and keeps the tokens in memory. Returns where
 * to go next. A silent renewal the OP could not do (`login_required`…) becomes a real sign-in.
 */
export async function completeSignIn(callback: URL): Promise<{ purpose: TokenPurpose; returnTo: string }> {
  const state = callback.searchParams.get('state') ?? '';
  const raw = state ? window.sessionStorage.getItem(PENDING_PREFIX + state) : null;
  if (!raw) throw new SignInError('invalid_state', 'This sign-in response does not match a sign-in started in this tab.');
  window.sessionStorage.removeItem(PENDING_PREFIX + state);
  const pending = JSON.parse(raw) as PendingAuthorization;
  const as = await authorizationServer();
  let params: URLSearchParams;
  try {
    params = oauth.validateAuthResponse(as, client, callback, state);
  } catch (err) {
    if (err instanceof oauth.AuthorizationResponseError) {
      const code = err.error;
      if (['login_required', 'interaction_required', 'consent_required', 'account_selection_required'].includes(code)) {
        return signIn(pending.purpose, { returnTo: pending.returnTo });
      }
      throw new SignInError(code, err.error_description ?? '', pending.purpose, pending.returnTo);
    }
    throw err;
  }
  const response = await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), params, redirectUri(), pending.verifier, requestOptions());
  const result = await oauth.processAuthorizationCodeResponse(as, client, response, { expectedNonce: pending.nonce, requireIdToken: true });
  const claims = oauth.getValidatedIdTokenClaims(result);
  if (!claims || !result.id_token) throw new SignInError('invalid_response', 'The sign-in answer had no ID token.');
  tokens.set(pending.purpose, {
    accessToken: result.access_token,
    expiresAt: Date.now() + (result.expires_in ?? 300) * 1000,
    scope: (result.scope ?? PURPOSES[pending.purpose].scope).split(' ').filter(Boolean),
    claims,
    idToken: result.id_token,
  });
  heldBefore.add(pending.purpose);
  return { purpose: pending.purpose, returnTo: pending.returnTo };
}

/** The held token for this purpose, if it is still good. */
export function heldToken(purpose: TokenPurpose): HeldToken | undefined {
  const token = tokens.get(purpose);
  return token && token.expiresAt - EXPIRY_MARGIN_MS > Date.now() ? token : undefined;
}

/** Any token's ID-token claims: who is signed in, for the header. */
export function signedInUser(): oauth.IDToken | undefined {
  return (tokens.get('account') ?? tokens.get('admin'))?.claims;
}

/** A valid access token, or a redirect to get one (silently when this page held one before). */
export async function accessToken(purpose: TokenPurpose): Promise<string> {
  const token = heldToken(purpose);
  if (token) return token.accessToken;
  return renew(purpose);
}

/** The token was refused (expired, revoked): forget it and get a new one through the OP session. */
export function renew(purpose: TokenPurpose): Promise<never> {
  tokens.delete(purpose);
  return signIn(purpose, { prompt: heldBefore.has(purpose) ? 'none' : undefined });
}

/** The RP-initiated logout request, sent as a POST form so the ID token never sits in a URL. */
export function logoutRequest(): { action: string; fields: Record<string, string> } {
  const held = tokens.get('account') ?? tokens.get('admin');
  return {
    action: `${issuerOrigin()}/oauth2/logout`,
    fields: {
      client_id: PORTAL_CLIENT_ID,
      post_logout_redirect_uri: `${issuerOrigin()}/signed-out`,
      ...(held ? { id_token_hint: held.idToken } : {}),
    },
  };
}

/** Forget every token (after a sign-out, or an account deletion). */
export function forgetTokens(): void {
  tokens.clear();
  heldBefore.clear();
}

/** For tests: hold a token as if a sign-in had completed. */
export function holdTokenForTest(purpose: TokenPurpose, token: Partial<HeldToken> & { accessToken: string }): void {
  tokens.set(purpose, {
    expiresAt: Date.now() + 300_000,
    scope: PURPOSES[purpose].scope.split(' '),
    claims: { iss: issuerOrigin(), sub: 'user-1', aud: PORTAL_CLIENT_ID, iat: 0, exp: 0 } as oauth.IDToken,
    idToken: 'id-token',
    ...token,
  });
  heldBefore.add(purpose);
}

const currentPath = () => `${window.location.pathname}${window.location.search}${window.location.hash}`;

/** Only a path on this origin: never an absolute URL, never `//host` (no open redirect). */
export function safeReturnTo(value: string): string {
  return value.startsWith('/') && !value.startsWith('//') && !value.startsWith('/\\') ? value : '/account';
}
