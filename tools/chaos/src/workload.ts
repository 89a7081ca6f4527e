import { createHash, randomBytes } from 'node:crypto';
import type { Cluster } from '@tessera/cluster';
import { basic, Browser, expectStatus, form, json, redirectOf, send, StepFailure } from './http';

export const REDIRECT_URI = 'http://127.0.0.1:9/callback';
const FLOW_SCOPE = 'openid profile offline_access';

export interface Client {
  client_id: string;
  client_secret: string;
}

export interface User {
  sub: string;
  email: string;
  password: string;
}

/** What a completed flow left behind, checked again after the fault: none of it may be lost. */
export interface IssuedGrant {
  user: User;
  accessToken: string;
  refreshToken: string;
  /** Login or consent pages answered again because a fault made the service start the request over. */
  restarts: number;
}

/** The clients and users the load runs with, made through the public APIs (registration, admin API). */
export interface Tenant {
  issuer: string;
  webClient: Client;
  serviceClient: Client;
  /** The load's people: each load worker signs in its own (one password check per account at a time). */
  users: User[];
  /** People the fault cases use by themselves, never the load. */
  reserved: { recovery: User; revoked: User; rotation: User };
  adminToken(): Promise<string>;
}

async function register(cluster: Cluster, metadata: Record<string, unknown>): Promise<Client> {
  const step = 'POST /oauth2/register';
  const answer = expectStatus(
    step,
    await send(step, `${cluster.issuer}/oauth2/register`, {
      method: 'POST',
      headers: { authorization: `Bearer ${cluster.secrets.registrationToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(metadata),
    }),
    201,
  );
  return json<Client>(step, answer);
}

export async function createTenant(cluster: Cluster, userCount: number): Promise<Tenant> {
  const issuer = cluster.issuer;
  const adminToken = async () => {
    const step = 'admin token';
    const answer = await send(step, `${issuer}/oauth2/token`, {
      method: 'POST',
      ...form({ grant_type: 'client_credentials', scope: 'admin:read admin:write', resource: `${issuer}/admin/api` }),
      headers: { ...form({}).headers, authorization: basic('tessera-cli', cluster.secrets.cliSecret) },
    });
    return json<{ access_token: string }>(step, expectStatus(step, answer, 200)).access_token;
  };
  const webClient = await register(cluster, {
    client_name: 'Chaos web app',
    redirect_uris: [REDIRECT_URI],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
    scope: FLOW_SCOPE,
  });
  const serviceClient = await register(cluster, {
    client_name: 'Chaos service',
    grant_types: ['client_credentials'],
    redirect_uris: [],
    token_endpoint_auth_method: 'client_secret_basic',
  });
  const token = await adminToken();
  const tag = randomBytes(4).toString('hex');
  const users: User[] = [];
  for (let i = 0; i < userCount + 3; i++) {
    const email = `chaos-${tag}-${i}@example.com`;
    const password = `chaos ${randomBytes(9).toString('base64url')} pass`;
    const step = 'POST /admin/api/users';
    const answer = await send(step, `${issuer}/admin/api/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ email, password, email_verified: true }),
    });
    users.push({ sub: json<{ sub: string }>(step, expectStatus(step, answer, 201)).sub, email, password });
  }
  const [recovery, revoked, rotation] = users.splice(userCount, 3);
  return { issuer, webClient, serviceClient, users, reserved: { recovery, revoked, rotation }, adminToken };
}

/**
 * A person's complete authorization code flow through nginx, as the portal makes it: the login
 * page's CSRF cookie, /oauth2/authorize, the password on /auth/login/password, consent (asked every
 * time: `prompt=consent`, which `offline_access` needs, and remembered), the code at the client's
 * redirect URI, and the token request with PKCE. Resolves with the tokens.
 */
export async function codeFlow(tenant: Tenant, user: User): Promise<IssuedGrant> {
  const { issuer, webClient } = tenant;
  const browser = new Browser(issuer);
  expectStatus('GET /auth/csrf', await browser.request('GET /auth/csrf', '/auth/csrf'), 200);
  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(12).toString('base64url');
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: webClient.client_id,
    redirect_uri: REDIRECT_URI,
    scope: FLOW_SCOPE,
    prompt: 'consent',
    state,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  });
  let next = redirectOf('GET /oauth2/authorize', await browser.request('GET /oauth2/authorize', `/oauth2/authorize?${query}`), issuer);
  throwIfErrorAtClient('GET /oauth2/authorize', next);
  if (next.pathname !== '/login') throw new StepFailure('GET /oauth2/authorize', 'refused', `expected the login page, got ${next.pathname}`);
  // A person answers the login and consent pages until the client has its code. A fault can send
  // them back to one they answered (a replica killed before its answer arrived: the service
  // starts the request over): they answer it again, and the flow counts a restart.
  let restarts = 0;
  for (let page = 0; next.pathname === '/login' || next.pathname === '/consent'; page++) {
    if (page >= 2) restarts++;
    if (restarts > 2) throw new StepFailure(`${next.pathname} page`, 'refused', 'sent back to a page already answered three times');
    next = next.pathname === '/login' ? await signIn(browser, next, user, issuer) : await giveConsent(browser, next, issuer);
  }
  throwIfErrorAtClient('redirect to the client', next);
  if (`${next.origin}${next.pathname}` !== REDIRECT_URI || next.searchParams.get('state') !== state || !next.searchParams.get('code'))
    throw new StepFailure('redirect to the client', 'refused', `expected the client with a code, got ${next.href.replace(/code=[^&]+/, 'code=…')}`);

  const tokens = await tokenRequest(tenant, 'POST /oauth2/token (code)', {
    grant_type: 'authorization_code',
    code: next.searchParams.get('code') ?? '',
    redirect_uri: REDIRECT_URI,
    code_verifier: verifier,
  });
  if (!tokens.refresh_token) throw new StepFailure('POST /oauth2/token (code)', 'refused', 'no refresh_token');
  return { user, accessToken: tokens.access_token, refreshToken: tokens.refresh_token, restarts };
}

/** The login page: the password on /auth/login/password, then where the answer sends the browser. */
async function signIn(browser: Browser, page: URL, user: User, issuer: string): Promise<URL> {
  const loginChallenge = page.searchParams.get('login_challenge');
  if (!loginChallenge) throw new StepFailure('login page', 'refused', 'no login_challenge');
  const step = 'POST /auth/login/password';
  const signedIn = json<{ redirect_to?: string }>(
    step,
    expectStatus(step, await browser.post(step, '/auth/login/password', { login_challenge: loginChallenge, email: user.email, password: user.password }), 200),
  );
  if (!signedIn.redirect_to) throw new StepFailure(step, 'refused', 'no redirect_to');
  return redirectOf('GET redirect_to (login)', await browser.request('GET redirect_to (login)', signedIn.redirect_to), issuer);
}

/** The consent page: every scope asked for, remembered. */
async function giveConsent(browser: Browser, page: URL, issuer: string): Promise<URL> {
  const consentChallenge = page.searchParams.get('consent_challenge') ?? '';
  const view = json<{ requested_scope: string[] }>(
    'GET /auth/consent',
    expectStatus('GET /auth/consent', await browser.request('GET /auth/consent', `/auth/consent?consent_challenge=${encodeURIComponent(consentChallenge)}`), 200),
  );
  const accept = 'POST /auth/consent/accept';
  const accepted = json<{ redirect_to?: string }>(
    accept,
    expectStatus(accept, await browser.post(accept, '/auth/consent/accept', { consent_challenge: consentChallenge, grant_scope: view.requested_scope, remember: true }), 200),
  );
  if (!accepted.redirect_to) throw new StepFailure(accept, 'refused', 'no redirect_to');
  return redirectOf('GET redirect_to (consent)', await browser.request('GET redirect_to (consent)', accepted.redirect_to), issuer);
}

/**
 * An authorization error sent to the client's redirect URI (RFC 6749 §4.1.2.1): a server that
 * cannot serve right now (`temporarily_unavailable`, `server_error`) is a failure a retry may
 * cure; any other error is a refusal.
 */
function throwIfErrorAtClient(step: string, url: URL): void {
  const error = url.searchParams.get('error');
  if (`${url.origin}${url.pathname}` !== REDIRECT_URI || !error) return;
  throw new StepFailure(step, error === 'temporarily_unavailable' || error === 'server_error' ? 'unavailable' : 'refused', `error=${error}`);
}

export async function tokenRequest(tenant: Tenant, step: string, fields: Record<string, string>, client: Client = tenant.webClient) {
  const answer = await send(step, `${tenant.issuer}/oauth2/token`, {
    method: 'POST',
    headers: { authorization: basic(client.client_id, client.client_secret), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
  return json<{ access_token: string; refresh_token?: string; id_token?: string }>(step, expectStatus(step, answer, 200));
}

export async function clientCredentials(tenant: Tenant): Promise<string> {
  return (await tokenRequest(tenant, 'POST /oauth2/token (client_credentials)', { grant_type: 'client_credentials' }, tenant.serviceClient)).access_token;
}

/** RFC 7662 introspection by the web client: is the token still active? */
export async function introspect(tenant: Tenant, token: string, client: Client = tenant.webClient): Promise<Record<string, unknown>> {
  const step = 'POST /oauth2/introspect';
  const answer = await send(step, `${tenant.issuer}/oauth2/introspect`, {
    method: 'POST',
    headers: { authorization: basic(client.client_id, client.client_secret), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token }).toString(),
  });
  return json(step, expectStatus(step, answer, 200));
}
