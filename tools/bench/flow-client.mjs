// A scripted browser and login UI for authorization code flows, used by tools/bench/flows.mjs
// (and profile.mjs): a keep-alive HTTP client, a cookie jar per browser, one driver per server
// kind and the closed-loop load generator. The HTTP client, the cookie jar, the scripted portal
// over Tessera's flow API and the step checks serve the other benchmarks too (logins.mjs,
// backchannel-logout.mjs, revocations.mjs).
//
// Every step checks the answer it should get (status, Location, cookies, JSON fields) and throws
// with the details otherwise: a benchmark of a flow that silently stopped half-way would measure
// nothing. Requests only ever go to 127.0.0.1 (the client's redirect URI is never contacted).
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import { pct } from './stats.mjs';

export const FLOW_SCENARIOS = [
  { id: 'flow-full', label: 'full flow: authorize → login → consent → token' },
  { id: 'flow-sso', label: 'SSO flow: authorize → token (signed in, consent remembered)' },
];

const FORM = 'application/x-www-form-urlencoded';
const REQUEST_TIMEOUT_MS = 10_000;

// --- HTTP ---------------------------------------------------------------------------------------

/** node:http with a keep-alive agent (less client CPU per request than fetch on Node 20). */
export function createHttp({ maxSockets = 64 } = {}) {
  const agent = new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  let requests = 0;
  function request(method, url, { headers = {}, body } = {}) {
    const u = new URL(url);
    if (u.hostname !== '127.0.0.1' || u.protocol !== 'http:')
      return Promise.reject(new Error(`refusing to send a request to ${u.origin}: only http://127.0.0.1`));
    requests++;
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          agent,
          host: '127.0.0.1',
          port: u.port,
          path: u.pathname + u.search,
          method,
          headers: body === undefined ? headers : { ...headers, 'content-length': Buffer.byteLength(body) },
          timeout: REQUEST_TIMEOUT_MS,
        },
        (res) => {
          const chunks = [];
          res.on('data', (c) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () =>
            resolve({
              status: res.statusCode,
              headers: res.headers,
              text: Buffer.concat(chunks).toString('utf8'),
            }),
          );
        },
      );
      req.on('timeout', () =>
        req.destroy(new Error(`${method} ${url}: no answer in ${REQUEST_TIMEOUT_MS / 1000} s`)),
      );
      req.on('error', reject);
      req.end(body);
    });
  }
  return { request, requests: () => requests, close: () => agent.destroy() };
}

// --- cookies ------------------------------------------------------------------------------------

/** A browser's cookie jar for one host: Path-aware (RFC 6265 §5.1.4), honours expiry by Max-Age=0 / past Expires. */
export class CookieJar {
  #cookies = new Map(); // `${name}\0${path}` → { name, value, path }

  /** Stores the Set-Cookie lines of a response to `requestPath`. */
  store(setCookie, requestPath) {
    for (const line of setCookie ?? []) {
      const [pair, ...attributes] = line.split(';').map((p) => p.trim());
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      let path;
      let expired = value === '';
      for (const a of attributes) {
        const i = a.indexOf('=');
        const key = (i < 0 ? a : a.slice(0, i)).toLowerCase();
        const v = i < 0 ? '' : a.slice(i + 1);
        if (key === 'path' && v.startsWith('/')) path = v;
        else if (key === 'max-age' && Number(v) <= 0) expired = true;
        else if (key === 'expires' && Date.parse(v) < Date.now()) expired = true;
      }
      // Default path: the request path up to (not including) its last '/'.
      path ??= requestPath.lastIndexOf('/') > 0 ? requestPath.slice(0, requestPath.lastIndexOf('/')) : '/';
      const key = `${name}\0${path}`;
      if (expired) this.#cookies.delete(key);
      else this.#cookies.set(key, { name, value, path });
    }
  }

  /** The Cookie header a browser would send to `path` (undefined when none match). */
  header(path) {
    const out = [];
    for (const c of this.#cookies.values()) {
      if (
        path === c.path ||
        (path.startsWith(c.path) && (c.path.endsWith('/') || path[c.path.length] === '/'))
      )
        out.push(`${c.name}=${c.value}`);
    }
    return out.length ? out.join('; ') : undefined;
  }

  get(name) {
    let found;
    for (const c of this.#cookies.values()) if (c.name === name) found = c.value;
    return found;
  }

  names() {
    return [...new Set([...this.#cookies.values()].map((c) => c.name))];
  }

  /** A new jar holding only the named cookies of this one (e.g. a browser that kept only its login). */
  pick(...names) {
    const jar = new CookieJar();
    for (const [key, c] of this.#cookies) if (names.includes(c.name)) jar.#cookies.set(key, { ...c });
    return jar;
  }
}

/** A browser: requests with the jar's cookies, stores what comes back, never follows redirects. */
export function browserRequest(httpClient, jar, method, url, { headers = {}, body } = {}) {
  const path = new URL(url).pathname;
  const cookie = jar.header(path);
  return httpClient
    .request(method, url, { headers: cookie ? { ...headers, cookie } : headers, body })
    .then((res) => {
      const sc = res.headers['set-cookie'];
      if (sc) jar.store(Array.isArray(sc) ? sc : [sc], path);
      return res;
    });
}

/**
 * A scripted portal over Tessera's flow API (/auth/*, the calls the portal's pages make), in
 * browsers of `httpClient`. `issuer()` is read at every request (the platform may be restarted
 * between runs). `browser` requests a path or URL relative to the issuer; `portalBrowser()` is a
 * fresh browser that loaded the portal (it holds only the `tessera_csrf` cookie, no server-side
 * state); `flowPost` is a state-changing flow call as the portal makes it: JSON with the CSRF header.
 */
export function portalClient(httpClient, issuer) {
  const browser = (jar, method, pathOrUrl, options) =>
    browserRequest(httpClient, jar, method, new URL(pathOrUrl, issuer()).href, options);
  const flowPost = (jar, path, body, headers = {}) =>
    browser(jar, 'POST', path, {
      headers: { 'content-type': 'application/json', 'x-csrf-token': jar.get('tessera_csrf'), ...headers },
      body: JSON.stringify(body),
    });
  async function portalBrowser() {
    const jar = new CookieJar();
    const res = await browser(jar, 'GET', '/auth/csrf');
    if (res.status !== 200) stepFail('GET /auth/csrf', res, 'expected 200');
    const token = jsonOf('GET /auth/csrf', res).csrf_token;
    if (typeof token !== 'string' || jar.get('tessera_csrf') !== token)
      stepFail('GET /auth/csrf', res, 'no csrf_token matching the tessera_csrf cookie');
    return jar;
  }
  return { browser, flowPost, portalBrowser };
}

/** The flow API's 200 `{ redirect_to }` (anything else, e.g. a second factor, is a failure). */
export function redirectTo(step, res) {
  if (res.status !== 200) stepFail(step, res, 'expected 200');
  const body = jsonOf(step, res);
  if (typeof body.redirect_to !== 'string') stepFail(step, res, 'no redirect_to');
  return body.redirect_to;
}

// --- checks (every benchmark that scripts HTTP steps uses these) --------------------------------

class StepError extends Error {}

/** Throws: `<step>: <why> (HTTP <status> Location: … body: <first 300 characters>)`. */
export function stepFail(step, res, why) {
  const loc = res?.headers?.location ? ` Location: ${res.headers.location}` : '';
  const body = res?.text ? ` body: ${res.text.slice(0, 300)}` : '';
  throw new StepError(`${step}: ${why}${res ? ` (HTTP ${res.status}${loc}${body})` : ''}`);
}

/** The response body as JSON, or a step failure. */
export function jsonOf(step, res) {
  try {
    return JSON.parse(res.text);
  } catch {
    return stepFail(step, res, 'the body is not JSON');
  }
}

/** A 302/303 whose Location (resolved against `base`) is returned as a URL. */
export function redirectOf(step, res, base) {
  if (res.status !== 302 && res.status !== 303) stepFail(step, res, 'expected a redirect');
  const loc = res.headers.location;
  if (!loc) stepFail(step, res, 'redirect without Location');
  return new URL(loc, base);
}

/** A PKCE S256 pair: the verifier and its challenge. */
export function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** Part `i` of a JWT (0: header, 1: claims), decoded, not verified. */
export const jwtPart = (jwt, i) =>
  JSON.parse(Buffer.from(String(jwt).split('.')[i] ?? '', 'base64url').toString('utf8'));

/** An HTTP Basic `authorization` value for a client (RFC 6749 2.3.1: form-encoded id and secret). */
export const basic = (id, secret) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

// --- drivers ------------------------------------------------------------------------------------

/**
 * The driver for one server: `full(sub)` runs a complete flow in a fresh browser and resolves to
 * `{ jar, token }`; `sso(jar)` runs authorize → token in a signed-in browser; `verifyToken(token,
 * sub)` introspects a token and checks it is active for that user and client.
 */
export function flowDriver(target, httpClient) {
  const { issuer, clientId, clientAuthorization, redirectUri, scope } = target;
  const tessera = target.kind === 'tessera';
  const paths = tessera
    ? { authorize: '/oauth2/authorize', token: '/oauth2/token', introspect: '/oauth2/introspect' }
    : { authorize: '/auth', token: '/token', introspect: '/token/introspection' };
  const who = target.kind;

  const authorizeUrl = (state, challenge) =>
    `${issuer}${paths.authorize}?${new URLSearchParams({
      client_id: clientId,
      redirect_uri: redirectUri,
      response_type: 'code',
      scope,
      state,
      code_challenge: challenge,
      code_challenge_method: 'S256',
    })}`;

  /** The client's redirect URI with a code: checks state (and iss when present), returns the code. */
  function codeOf(step, res, state) {
    const url = redirectOf(step, res, issuer);
    if (`${url.origin}${url.pathname}` !== redirectUri)
      stepFail(step, res, `expected a redirect to ${redirectUri}`);
    const p = url.searchParams;
    if (p.get('error'))
      stepFail(step, res, `authorization error ${p.get('error')}: ${p.get('error_description')}`);
    if (p.get('state') !== state) stepFail(step, res, 'state does not match');
    if (p.has('iss') && p.get('iss') !== issuer)
      stepFail(step, res, `iss is ${p.get('iss')}, expected ${issuer}`);
    const code = p.get('code');
    if (!code) stepFail(step, res, 'no code');
    return code;
  }

  async function token(code, verifier) {
    const step = `${who} token`;
    const res = await httpClient.request('POST', `${issuer}${paths.token}`, {
      headers: { authorization: clientAuthorization, 'content-type': FORM },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: redirectUri,
        code_verifier: verifier,
      }).toString(),
    });
    if (res.status !== 200) stepFail(step, res, 'expected 200');
    const body = jsonOf(step, res);
    if (typeof body.access_token !== 'string' || !body.access_token) stepFail(step, res, 'no access_token');
    if (String(body.token_type).toLowerCase() !== 'bearer') stepFail(step, res, 'token_type is not Bearer');
    return body.access_token;
  }

  // Tessera: the login and consent UI is the internal challenge API (the auth-service's role).
  const internal = async (step, method, path, body) => {
    const res = await httpClient.request(method, `${target.internalBase}${path}`, {
      headers: {
        authorization: target.operatorAuthorization,
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    if (res.status !== 200) stepFail(step, res, 'expected 200');
    return jsonOf(step, res);
  };

  async function tesseraChallenge(jar, url, kind, accept) {
    const challenge = url.searchParams.get(`${kind}_challenge`);
    if (!challenge) stepFail(`${who} authorize`, null, `expected a ${kind} challenge, got ${url.href}`);
    const path = `/internal/challenges/${encodeURIComponent(challenge)}`;
    const info = await internal(`${who} read ${kind} challenge`, 'GET', path);
    if (info.kind !== kind) stepFail(`${who} read ${kind} challenge`, null, `kind is ${info.kind}`);
    const verifier = jar.get(info.binding_cookie);
    if (!verifier)
      stepFail(
        `${who} ${kind}`,
        null,
        `the browser has no binding cookie ${info.binding_cookie} (has ${jar.names().join(', ')})`,
      );
    const accepted = await internal(`${who} accept ${kind}`, 'POST', `${path}/accept`, {
      verifier,
      ...accept,
    });
    if (typeof accepted.redirect_to !== 'string') stepFail(`${who} accept ${kind}`, null, 'no redirect_to');
    return accepted.redirect_to;
  }

  // oidc-provider: the interaction endpoints of oidc-provider-server.mjs, called by the browser.
  async function opInteraction(jar, url, prompt, body) {
    const step = `${who} ${prompt} interaction`;
    if (!url.pathname.startsWith('/bench/interaction/'))
      stepFail(step, null, `expected an interaction URL, got ${url.href}`);
    const details = await browserRequest(httpClient, jar, 'GET', url.href);
    if (details.status !== 200) stepFail(step, details, 'expected 200');
    const d = jsonOf(step, details);
    if (d.prompt !== prompt) stepFail(step, details, `prompt is ${d.prompt}`);
    const res = await browserRequest(httpClient, jar, 'POST', `${url.href}/${prompt}`, {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (res.status !== 200) stepFail(`${step} result`, res, 'expected 200');
    const r = jsonOf(step, res);
    if (typeof r.redirect_to !== 'string') stepFail(step, res, 'no redirect_to');
    return new URL(r.redirect_to, issuer).href;
  }

  async function full(sub) {
    const jar = new CookieJar();
    const { verifier, challenge } = pkce();
    const state = randomBytes(12).toString('base64url');
    const step = `${who} authorize`;
    let res = await browserRequest(httpClient, jar, 'GET', authorizeUrl(state, challenge));
    let next = redirectOf(step, res, issuer);
    if (tessera) {
      let resume = await tesseraChallenge(jar, next, 'login', {
        sub,
        login_session_id: `ls-${sub}`,
        amr: ['pwd'],
        auth_time: Math.floor(Date.now() / 1000),
        remember: true,
      });
      res = await browserRequest(httpClient, jar, 'GET', resume);
      next = redirectOf(`${who} resume after login`, res, issuer);
      if (!jar.get('tessera_session')) stepFail(`${who} resume after login`, res, 'no tessera_session cookie');
      resume = await tesseraChallenge(jar, next, 'consent', { grant_scope: scope.split(' '), remember: true });
      res = await browserRequest(httpClient, jar, 'GET', resume);
    } else {
      let resume = await opInteraction(jar, next, 'login', { accountId: sub });
      res = await browserRequest(httpClient, jar, 'GET', resume);
      next = redirectOf(`${who} resume after login`, res, issuer);
      if (!jar.get('_session')) stepFail(`${who} resume after login`, res, 'no _session cookie');
      resume = await opInteraction(jar, next, 'consent', {});
      res = await browserRequest(httpClient, jar, 'GET', resume);
    }
    const code = codeOf(`${who} resume after consent`, res, state);
    return { jar, token: await token(code, verifier) };
  }

  async function sso(jar) {
    const { verifier, challenge } = pkce();
    const state = randomBytes(12).toString('base64url');
    const res = await browserRequest(httpClient, jar, 'GET', authorizeUrl(state, challenge));
    return token(codeOf(`${who} authorize (signed in)`, res, state), verifier);
  }

  async function verifyToken(accessToken, sub) {
    const step = `${who} introspect the flow's access token`;
    const res = await httpClient.request('POST', `${issuer}${paths.introspect}`, {
      headers: { authorization: clientAuthorization, 'content-type': FORM },
      body: new URLSearchParams({ token: accessToken }).toString(),
    });
    if (res.status !== 200) stepFail(step, res, 'expected 200');
    const b = jsonOf(step, res);
    if (b.active !== true) stepFail(step, res, 'not active');
    if (b.sub !== sub) stepFail(step, res, `sub is ${b.sub}, expected ${sub}`);
    if (b.client_id !== clientId) stepFail(step, res, `client_id is ${b.client_id}, expected ${clientId}`);
    const granted = String(b.scope).split(' ');
    if (!scope.split(' ').every((s) => granted.includes(s))) stepFail(step, res, `scope is ${b.scope}`);
    return b;
  }

  return { full, sso, verifyToken };
}

// --- load ---------------------------------------------------------------------------------------

/**
 * Closed-loop load: `concurrency` loops each run one flow after another. For `flow-sso` each
 * loop first signs in with one full flow (not counted). The loops run `warmupS` seconds, then
 * the measured window of `durationS` seconds starts (`onWindowStart()` is called, e.g. to read
 * CPU counters) and ends (`onWindowEnd()`); flows that complete inside the window are counted,
 * with their latency (start of the first request to the token response). After the window the
 * loops finish the flow they are in and stop. Any failed step aborts the load and rejects.
 */
export async function runFlowLoad({
  driver,
  scenario,
  concurrency,
  warmupS,
  durationS,
  subPrefix,
  onWindowStart,
  onWindowEnd,
}) {
  let n = 0;
  const nextSub = () => `${subPrefix}-${++n}`;
  let stopping = false;
  let error;
  let windowStart = Infinity;
  let windowEnd = Infinity;
  const latencies = [];
  let flowsBefore = 0;

  async function loop(signedIn) {
    let jar;
    if (scenario === 'flow-sso') jar = (await driver.full(nextSub())).jar;
    signedIn();
    while (!stopping) {
      const t = performance.now();
      if (scenario === 'flow-full') await driver.full(nextSub());
      else await driver.sso(jar);
      const done = performance.now();
      if (done >= windowStart && done <= windowEnd) latencies.push(done - t);
      else if (done < windowStart) flowsBefore++;
    }
  }
  const ready = [];
  const guarded = () => {
    let signedIn;
    ready.push(new Promise((r) => (signedIn = r)));
    return loop(signedIn).catch((e) => {
      error ??= e;
      stopping = true;
    });
  };

  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const loops = Array.from({ length: concurrency }, guarded);
  // The SSO loops sign in first (not counted); then warmupS seconds of warm-up, then the window.
  await Promise.race([Promise.all(ready), Promise.all(loops)]);
  await Promise.race([sleep(warmupS * 1000), Promise.all(loops)]);
  let window;
  if (!stopping) {
    const before = await onWindowStart?.();
    windowStart = performance.now();
    await Promise.race([sleep(durationS * 1000), Promise.all(loops)]);
    windowEnd = performance.now();
    const after = await onWindowEnd?.();
    window = { seconds: (windowEnd - windowStart) / 1000, before, after };
  }
  stopping = true;
  await Promise.all(loops);
  if (error) throw error;

  const sorted = latencies.slice().sort((a, b) => a - b);
  return {
    flows: latencies.length,
    warmupFlows: flowsBefore,
    seconds: window.seconds,
    p50: pct(sorted, 50),
    p90: pct(sorted, 90),
    p99: pct(sorted, 99),
    max: sorted.at(-1) ?? NaN,
    window,
  };
}
