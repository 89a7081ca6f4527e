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
/** A sign-in started longer ago than this will not come back: its record is dropped. */
const PENDING_MAX_AGE_MS = 10 * 60_000;
/** A token this close to expiry is renewed before use rather than sent and refused. */
const EXPIRY_MARGIN_MS = 15_000;
/**
 * When each purpose last obtained a token (epoch ms), in sessionStorage because every renewal
 * reloads the page. A token this recent that needs renewing again means the renewal does not
 * help (a clock far off, a token the API refuses at once): the page stops instead of looping.
 */
const OBTAINED_PREFIX = 'tessera.obtained.';
const RENEWAL_LOOP_MS = 30_000;
/** Purposes whose renewal was stopped for looping, and who wants to know. */
const renewalStuck = new Set<TokenPurpose>();
const listeners = new Set<() => void>();
const notify = () => listeners.forEach((listener) => listener());

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
  /** Epoch ms: records older than PENDING_MAX_AGE_MS are dropped at the next sign-in. */
  startedAt: number;
}

export interface SignInOptions {
  /** Where to come back to: a path on this origin. */
  returnTo?: string;
  prompt?: 'none' | 'login';
  /** Ask for a sign-in at most this many seconds old (a step-up before a sensitive change). */
  maxAge?: number;
  uiLocales?: string;
}

/**
 * Navigates the whole page to the authorization endpoint; the returned promise never settles
 * once the page is leaving. It rejects with a SignInError when the page cannot leave (the
 * issuer unreachable, or this page opened at an address that is not the issuer's).
 */
export async function signIn(purpose: TokenPurpose, options: SignInOptions = {}): Promise<never> {
  const returnTo = safeReturnTo(options.returnTo ?? currentPath());
  let url: URL;
  try {
    const as = await authorizationServer();
    const verifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const nonce = oauth.generateRandomNonce();
    const code_challenge = await oauth.calculatePKCECodeChallenge(verifier);
    dropStalePending();
    const pending: PendingAuthorization = { purpose, verifier, nonce, returnTo, startedAt: Date.now() };
    // The verifier must survive the redirect; it is not a token and is useless without the code.
    window.sessionStorage.setItem(PENDING_PREFIX + state, JSON.stringify(pending));
    url = new URL(as.authorization_endpoint ?? `${issuerOrigin()}/oauth2/authorize`);
    const { scope, resource } = PURPOSES[purpose];
    url.search = new URLSearchParams({
      client_id: PORTAL_CLIENT_ID,
      redirect_uri: redirectUri(),
      response_type: 'code',
      scope,
      state,
      nonce,
      code_challenge,
      code_challenge_method: 'S256',
      ...(resource ? { resource: resource() } : {}),
      ...(options.prompt ? { prompt: options.prompt } : {}),
      ...(options.maxAge !== undefined ? { max_age: String(options.maxAge) } : {}),
      ...(options.uiLocales ? { ui_locales: options.uiLocales } : {}),
    }).toString();
  } catch (err) {
    throw signInError(err, purpose, returnTo);
  }
  navigate(url.toString());
  return new Promise<never>(() => undefined);
}

/** Sign-ins that never came back (the tab went elsewhere) leave their record: drop the old ones. */
function dropStalePending(): void {
  const storage = window.sessionStorage;
  const keys = Array.from({ length: storage.length }, (_, i) => storage.key(i)).filter((key): key is string => key?.startsWith(PENDING_PREFIX) ?? false);
  const oldest = Date.now() - PENDING_MAX_AGE_MS;
  for (const key of keys) {
    let startedAt: unknown;
    try {
      startedAt = (JSON.parse(storage.getItem(key) ?? '') as Partial<PendingAuthorization>).startedAt;
    } catch {
      startedAt = undefined;
    }
    if (typeof startedAt !== 'number' || startedAt < oldest) storage.removeItem(key);
  }
}

export class SignInError extends Error {
  constructor(
    readonly code: string,
    readonly description: string,
    readonly purpose?: TokenPurpose,
    readonly returnTo?: string,
    /** For `wrong_host`: the issuer's own address, where the portal works. */
    readonly issuer?: string,
  ) {
    super(description || code);
    this.name = 'SignInError';
  }
}

/**
 * Any failure of a sign-in as a SignInError that remembers what was being signed in for and
 * where the person was going, so that "Sign in again" takes them there (not back to /callback).
 */
export function signInError(err: unknown, purpose?: TokenPurpose, returnTo?: string): SignInError {
  if (err instanceof SignInError) return new SignInError(err.code, err.description, err.purpose ?? purpose, err.returnTo ?? returnTo, err.issuer);
  if (err instanceof oauth.AuthorizationResponseError || err instanceof oauth.ResponseBodyError) {
    return new SignInError(err.error, err.error_description ?? '', purpose, returnTo);
  }
  if (err instanceof oauth.OperationProcessingError && err.code === oauth.JSON_ATTRIBUTE_COMPARISON) {
    // The discovery document names another issuer: this page was opened at another host name.
    const cause = err.cause as { attribute?: string; body?: { issuer?: unknown } } | undefined;
    if (cause?.attribute === 'issuer') {
      const issuer = typeof cause.body?.issuer === 'string' ? cause.body.issuer : undefined;
      return new SignInError('wrong_host', `This page is at ${issuerOrigin()}, but the issuer is ${issuer ?? 'elsewhere'}.`, purpose, returnTo, issuer);
    }
  }
  // fetch rejects with a TypeError when the server cannot be reached at all.
  if (err instanceof TypeError) return new SignInError('network_error', 'The sign-in service could not be reached.', purpose, returnTo);
  return new SignInError('invalid_response', err instanceof Error ? err.message : String(err), purpose, returnTo);
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
  // From here on every failure says where the person was going: "Sign in again" goes back there.
  const returnTo = safeReturnTo(pending.returnTo);
  try {
    const as = await authorizationServer();
    let params: URLSearchParams;
    try {
      params = oauth.validateAuthResponse(as, client, callback, state);
    } catch (err) {
      if (err instanceof oauth.AuthorizationResponseError && ['login_required', 'interaction_required', 'consent_required', 'account_selection_required'].includes(err.error)) {
        return await signIn(pending.purpose, { returnTo });
      }
      throw err;
    }
    const response = await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), params, redirectUri(), pending.verifier, requestOptions());
    const result = await oauth.processAuthorizationCodeResponse(as, client, response, { expectedNonce: pending.nonce, requireIdToken: true });
    const claims = oauth.getValidatedIdTokenClaims(result);
    if (!claims || !result.id_token) throw new SignInError('invalid_response', 'The sign-in answer had no ID token.');
    const obtainedAt = Date.now();
    tokens.set(pending.purpose, {
      accessToken: result.access_token,
      expiresAt: obtainedAt + (result.expires_in ?? 300) * 1000,
      scope: (result.scope ?? PURPOSES[pending.purpose].scope).split(' ').filter(Boolean),
      claims,
      idToken: result.id_token,
    });
    heldBefore.add(pending.purpose);
    window.sessionStorage.setItem(OBTAINED_PREFIX + pending.purpose, String(obtainedAt));
    return { purpose: pending.purpose, returnTo };
  } catch (err) {
    throw signInError(err, pending.purpose, returnTo);
  }
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

/**
 * The token was refused (expired, revoked): forget it and get a new one through the OP session.
 * Unless the token was obtained moments ago: then renewing again would only loop through the
 * authorization endpoint, so the page stops and says so (see `isRenewalStuck`).
 */
export function renew(purpose: TokenPurpose): Promise<never> {
  tokens.delete(purpose);
  const obtainedAt = Number(window.sessionStorage.getItem(OBTAINED_PREFIX + purpose));
  if (obtainedAt && Date.now() - obtainedAt < RENEWAL_LOOP_MS) {
    renewalStuck.add(purpose);
    notify();
    return Promise.reject(new SignInError('renewal_failed', 'A token obtained moments ago was refused again.', purpose, currentPath()));
  }
  return signIn(purpose, { prompt: heldBefore.has(purpose) ? 'none' : undefined });
}

/** True once a renewal was refused for looping: the page shows "sign in again" instead. */
export function isRenewalStuck(purpose: TokenPurpose): boolean {
  return renewalStuck.has(purpose);
}

/** Subscribes to changes of `isRenewalStuck` (for useSyncExternalStore). */
export function subscribeRenewal(listener: () => void): () => void {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
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
  renewalStuck.clear();
  for (const purpose of Object.keys(PURPOSES)) window.sessionStorage.removeItem(OBTAINED_PREFIX + purpose);
  notify();
}

/** For tests: hold a token as if a sign-in had completed (`obtainedAt`: when, for the renewal guard). */
export function holdTokenForTest(purpose: TokenPurpose, { obtainedAt, ...token }: Partial<HeldToken> & { accessToken: string; obtainedAt?: number }): void {
  if (obtainedAt !== undefined) window.sessionStorage.setItem(OBTAINED_PREFIX + purpose, String(obtainedAt));
  tokens.set(purpose, {
    expiresAt: Date.now() + 300_000,
    scope: PURPOSES[purpose].scope.split(' '),
    claims: { iss: issuerOrigin(), sub: 'user-1', aud: PORTAL_CLIENT_ID, iat: 0, exp: 0 } as oauth.IDToken,
    idToken: 'id-token',
    ...token,
  });
  heldBefore.add(purpose);
}

/** For tests: forget the discovery document, as a new page would. */
export function forgetDiscoveryForTest(): void {
  discovered = undefined;
}

const currentPath = () => `${window.location.pathname}${window.location.search}${window.location.hash}`;

/**
 * Only a path on this origin: never an absolute URL, never `//host` (no open redirect), and
 * never the callback itself, whose code is single-use: coming back there would spin forever.
 */
export function safeReturnTo(value: string): string {
  const onThisOrigin = value.startsWith('/') && !value.startsWith('//') && !value.startsWith('/\\');
  return onThisOrigin && !/^\/callback(?:[/?#]|$)/i.test(value) ? value : '/account';
}
