// The servers under test: Tessera (the built platform on its embedded defaults) and npm's
// oidc-provider with its memory adapter and with a Redis adapter. Each peer knows how to start,
// set itself up, build the request for a scenario and check that a response is a real token.
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { BENCH_PROFILE, startClaimsServer, USERINFO_CLAIMS } from './claims-server.mjs';
import { basic, createHttp, flowDriver } from './flow-client.mjs';
import { freePort, sleep, start, stop } from './proc.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
export const ROOT = resolve(HERE, '../..');
export const TESSERA_MAIN = join(ROOT, 'dist/apps/platform/main.js');
export const REDIS_PORT = 56399;
/** The authorization-code client's redirect URI on every server; never contacted. */
export const FLOW_REDIRECT_URI = 'http://127.0.0.1:9/cb';

/** The measured scenarios, in run order. */
export const SCENARIOS = [
  { id: 'cc-reference', label: 'client_credentials → reference token' },
  { id: 'cc-jwt-es256', label: 'client_credentials → JWT (ES256)' },
  { id: 'cc-jwt-rs256', label: 'client_credentials → JWT (RS256)' },
  { id: 'introspect-reference', label: 'introspection of a reference token' },
  { id: 'userinfo', label: 'UserInfo with a valid access token' },
];
/** The scope of the user access token the userinfo scenario presents. */
export const USERINFO_SCOPE = 'openid profile email';

const FORM = 'application/x-www-form-urlencoded';
const form = (params) => new URLSearchParams(params).toString();

function decodeJwtPart(part) {
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
}

function checkJwt(token, alg, who) {
  const parts = String(token).split('.');
  if (parts.length !== 3)
    throw new Error(`${who}: expected a JWT access token, got ${String(token).slice(0, 40)}…`);
  const header = decodeJwtPart(parts[0]);
  if (header.typ !== 'at+jwt') throw new Error(`${who}: JWT typ is ${header.typ}, expected at+jwt`);
  if (header.alg !== alg) throw new Error(`${who}: JWT alg is ${header.alg}, expected ${alg}`);
  decodeJwtPart(parts[1]);
}

async function postForm(url, authorization, params) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { authorization, 'content-type': FORM },
    body: form(params),
  });
  const text = await res.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: res.status, body };
}

/**
 * One scripted authorization code flow (PKCE, a fresh user) for `target` (a peer's
 * flowTarget()), its access token introspected (active, that user, that client, that scope).
 */
let userinfoUsers = 0;
async function userTokenByFlow(target) {
  const httpClient = createHttp({ maxSockets: 4 });
  try {
    const driver = flowDriver(target, httpClient);
    const sub = `userinfo-${Date.now().toString(36)}-${++userinfoUsers}`;
    const { token } = await driver.full(sub);
    await driver.verifyToken(token, sub);
    return { sub, token };
  } finally {
    httpClient.close();
  }
}

/** A UserInfo answer: 200, JSON, that user's sub and exactly the profile `openid profile email` releases. */
function checkUserinfo(who, sub, { status, body }) {
  if (status !== 200) throw new Error(`${who}: HTTP ${status}: ${JSON.stringify(body)}`);
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new Error(`${who}: not a JSON object: ${String(body).slice(0, 200)}`);
  if (body.sub !== sub) throw new Error(`${who}: sub is ${body.sub}, expected ${sub}`);
  const want = ['sub', ...USERINFO_CLAIMS].sort();
  const got = Object.keys(body).sort();
  if (want.join() !== got.join())
    throw new Error(`${who}: claims are ${got.join(', ')}; expected ${want.join(', ')}`);
  for (const k of USERINFO_CLAIMS)
    if (body[k] !== BENCH_PROFILE[k])
      throw new Error(`${who}: ${k} is ${JSON.stringify(body[k])}, expected ${JSON.stringify(BENCH_PROFILE[k])}`);
}

function baseEnv() {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    ...(process.env.HOME ? { HOME: process.env.HOME } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Tessera
// ---------------------------------------------------------------------------------------------

/** Stands in for the claims server when the platform's own authentication service answers. */
const NO_CLAIMS_SERVER = { url: undefined, trust() {}, calls: () => 0, stop: async () => {} };

/**
 * `env`: further environment for the platform. `claimsServer: false` runs the platform's own
 * authentication service as the user directory (no bench claims server, no
 * TESSERA_AUTH_SERVICE_URL), for benchmarks of the login itself (tools/bench/logins.mjs).
 */
export async function startTessera({ cpu, useTaskset, nodeArgs = [], env: extraEnv = {}, claimsServer = true }) {
  if (!existsSync(TESSERA_MAIN)) {
    throw new Error(
      `${TESSERA_MAIN} is missing: build it with \`NX_DAEMON=false npx nx run platform:build\``,
    );
  }
  const [port, internalPort] = [await freePort(), await freePort()];
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-bench-'));
  const issuer = `http://127.0.0.1:${port}`;
  // The user directory (the auth-service's claims API, which does not exist yet): in this
  // process, on the load generator's CPU. Tessera caches a user's claims for 30 s.
  const claims = claimsServer ? await startClaimsServer() : NO_CLAIMS_SERVER;
  const env = {
    ...baseEnv(),
    TESSERA_ISSUER: issuer,
    TESSERA_PORT: String(port),
    TESSERA_INTERNAL_PORT: String(internalPort),
    TESSERA_DATA_DIR: dataDir,
    TESSERA_LOG_LEVEL: 'warn',
    ...(claimsServer ? { TESSERA_AUTH_SERVICE_URL: claims.url } : {}),
    ...extraEnv,
  };
  let proc;
  try {
    proc = start([process.execPath, ...nodeArgs, TESSERA_MAIN], { env, cpu, useTaskset });
  } catch (e) {
    await claims.stop();
    throw e;
  }
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (proc.child.exitCode !== null) {
      await claims.stop();
      throw new Error(`Tessera exited with ${proc.child.exitCode}:\n${proc.output()}`);
    }
    try {
      if ((await fetch(`${issuer}/health/ready`)).status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop(proc.child, 1000);
      await claims.stop();
      throw new Error(`Tessera did not become ready in 30 s:\n${proc.output()}`);
    }
    await sleep(100);
  }

  const secret = readFileSync(join(dataDir, 'internal.secret'), 'utf8').trim();
  // From here on the directory answers only the token service's own credential.
  claims.trust(secret);
  const operator = `operator.${createHmac('sha256', secret).update('tessera-internal:operator').digest('base64url')}`;
  const internal = async (path, body) => {
    const res = await fetch(`http://127.0.0.1:${internalPort}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${operator}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`Tessera internal POST ${path} → ${res.status}: ${text}`);
    return JSON.parse(text);
  };

  const resource = 'https://api.bench.test';
  await internal('/internal/resource-servers', { identifier: resource, scopes: ['bench:read'] });
  const client = async (format, alg) => {
    const c = await internal('/internal/clients', {
      grant_types: ['client_credentials'],
      allowed_scopes: ['bench:read'],
      access_token_format: format,
      ...(alg ? { access_token_signing_alg: alg } : {}),
    });
    if (!c.client_id || !c.client_secret)
      throw new Error(`Tessera client without credentials: ${JSON.stringify(c)}`);
    return basic(c.client_id, c.client_secret);
  };
  const auth = {
    reference: await client('reference'),
    es256: await client('jwt', 'ES256'),
    rs256: await client('jwt', 'RS256'),
  };

  const flowClients = new Map(); // scope → the authorization_code client for flows asking for it
  let userinfoUser; // { sub, token } of the userinfo scenario's current run
  const tokenUrl = `${issuer}/oauth2/token`;
  const introspectUrl = `${issuer}/oauth2/introspect`;
  const userinfoUrl = `${issuer}/oauth2/userinfo`;
  const cc = { grant_type: 'client_credentials', scope: 'bench:read' };
  const issueReference = async () => {
    const r = await postForm(tokenUrl, auth.reference, cc);
    if (r.status !== 200 || typeof r.body.access_token !== 'string')
      throw new Error(`Tessera token → ${r.status}: ${JSON.stringify(r.body)}`);
    return r.body.access_token;
  };

  return {
    id: 'tessera',
    label: 'Tessera (embedded: SQLite + in-process queue)',
    pid: proc.child.pid,
    extraCpuPids: [],
    output: proc.output,
    issuer,
    /** POST to Tessera's internal API with the operator credential; the JSON answer (throws on ≥ 300). */
    internalPost: internal,
    /** Claims the user directory has answered so far (Tessera caches them for 30 s). */
    claimsCalls: () => claims.calls(),
    /**
     * What tools/bench/flows.mjs needs to drive authorization code flows: a confidential
     * authorization_code client (created on first use, one per scope: `bench:read` for the flow
     * scenarios, `openid profile email` with reference access tokens for userinfo) and the
     * internal challenge API.
     */
    async flowTarget({ scope = 'bench:read' } = {}) {
      let flowClient = flowClients.get(scope);
      if (!flowClient) {
        flowClient = await internal('/internal/clients', {
          grant_types: ['authorization_code'],
          redirect_uris: [FLOW_REDIRECT_URI],
          allowed_scopes: scope.split(' '),
          token_endpoint_auth_method: 'client_secret_basic',
          ...(scope === 'bench:read' ? {} : { access_token_format: 'reference' }),
        });
        if (!flowClient.client_id || !flowClient.client_secret)
          throw new Error(`Tessera client without credentials: ${JSON.stringify(flowClient)}`);
        flowClients.set(scope, flowClient);
      }
      return {
        kind: 'tessera',
        issuer,
        internalBase: `http://127.0.0.1:${internalPort}`,
        operatorAuthorization: `Bearer ${operator}`,
        clientId: flowClient.client_id,
        clientAuthorization: basic(flowClient.client_id, flowClient.client_secret),
        redirectUri: FLOW_REDIRECT_URI,
        scope,
      };
    },
    /** The request autocannon repeats for a scenario (may issue a fresh token to introspect). */
    async request(scenario) {
      switch (scenario) {
        case 'cc-reference':
          return { url: tokenUrl, authorization: auth.reference, body: form(cc) };
        case 'cc-jwt-es256':
          return { url: tokenUrl, authorization: auth.es256, body: form({ ...cc, resource }) };
        case 'cc-jwt-rs256':
          return { url: tokenUrl, authorization: auth.rs256, body: form({ ...cc, resource }) };
        case 'introspect-reference':
          return {
            url: introspectUrl,
            authorization: auth.reference,
            body: form({ token: await issueReference() }),
          };
        case 'userinfo': {
          // A fresh user and reference access token through one scripted code flow per run.
          userinfoUser = await userTokenByFlow(await this.flowTarget({ scope: USERINFO_SCOPE }));
          if (!userinfoUser.token.startsWith('tsr_at_'))
            throw new Error(`Tessera userinfo: not a reference token: ${userinfoUser.token.slice(0, 40)}…`);
          return { method: 'GET', url: userinfoUrl, authorization: `Bearer ${userinfoUser.token}` };
        }
        default:
          throw new Error(`unknown scenario ${scenario}`);
      }
    },
    verify(scenario, { status, body }) {
      const who = `Tessera ${scenario}`;
      if (scenario === 'userinfo') return checkUserinfo(who, userinfoUser?.sub, { status, body });
      if (status !== 200) throw new Error(`${who}: HTTP ${status}: ${JSON.stringify(body)}`);
      if (scenario === 'introspect-reference') {
        if (body.active !== true) throw new Error(`${who}: introspection says ${JSON.stringify(body)}`);
      } else if (scenario === 'cc-reference') {
        if (!String(body.access_token).startsWith('tsr_at_'))
          throw new Error(`${who}: not a reference token: ${JSON.stringify(body)}`);
      } else {
        checkJwt(body.access_token, scenario === 'cc-jwt-es256' ? 'ES256' : 'RS256', who);
      }
    },
    async stop() {
      await stop(proc.child);
      await claims.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------------------------------------
// oidc-provider
// ---------------------------------------------------------------------------------------------

const OP_RESOURCES = { es256: 'https://es256.bench.test', rs256: 'https://rs256.bench.test' };

export async function startOidcProvider({ adapter, cpu, useTaskset, redisPid }) {
  const port = await freePort();
  const clientId = 'bench-client';
  const clientSecret = randomBytes(48).toString('base64url');
  const webClientId = 'bench-web';
  const webClientSecret = randomBytes(48).toString('base64url');
  const env = {
    ...baseEnv(),
    BENCH_PORT: String(port),
    BENCH_CLIENT_ID: clientId,
    BENCH_CLIENT_SECRET: clientSecret,
    BENCH_WEB_CLIENT_ID: webClientId,
    BENCH_WEB_CLIENT_SECRET: webClientSecret,
    BENCH_REDIRECT_URI: FLOW_REDIRECT_URI,
    BENCH_ADAPTER: adapter,
    BENCH_REDIS_URL: `redis://127.0.0.1:${REDIS_PORT}`,
  };
  const proc = start([process.execPath, join(HERE, 'oidc-provider-server.mjs')], { env, cpu, useTaskset });
  const deadline = Date.now() + 20_000;
  while (!proc.output().includes(`READY ${port}`)) {
    if (proc.child.exitCode !== null)
      throw new Error(`oidc-provider (${adapter}) exited with ${proc.child.exitCode}:\n${proc.output()}`);
    if (Date.now() > deadline) {
      await stop(proc.child, 1000);
      throw new Error(`oidc-provider (${adapter}) did not start in 20 s:\n${proc.output()}`);
    }
    await sleep(50);
  }

  const issuer = `http://127.0.0.1:${port}`;
  const auth = basic(clientId, clientSecret);
  const tokenUrl = `${issuer}/token`;
  const introspectUrl = `${issuer}/token/introspection`;
  // oidc-provider's userinfo endpoint, from its discovery document (`/me` by default).
  const discovery = await (await fetch(`${issuer}/.well-known/openid-configuration`)).json();
  const userinfoUrl = discovery.userinfo_endpoint;
  if (typeof userinfoUrl !== 'string' || !userinfoUrl.startsWith(`${issuer}/`))
    throw new Error(`oidc-provider (${adapter}): no userinfo_endpoint in its discovery document`);
  let userinfoUser;
  // No resource parameter: defaultResource maps it to the opaque-token resource server, so the
  // request has the same shape as Tessera's reference-token request.
  const cc = { grant_type: 'client_credentials', scope: 'bench:read' };
  const issueOpaque = async () => {
    const r = await postForm(tokenUrl, auth, cc);
    if (r.status !== 200 || typeof r.body.access_token !== 'string')
      throw new Error(`oidc-provider token → ${r.status}: ${JSON.stringify(r.body)}`);
    return r.body.access_token;
  };

  return {
    id: `oidc-provider-${adapter}`,
    label: `oidc-provider 9 (${adapter} adapter)`,
    pid: proc.child.pid,
    extraCpuPids: redisPid ? [redisPid] : [],
    output: proc.output,
    /**
     * What tools/bench/flows.mjs needs to drive authorization code flows (see the server's
     * header). `bench:read` gets an opaque token for the default resource server; `openid
     * profile email` an opaque token without audience, for the userinfo endpoint.
     */
    async flowTarget({ scope = 'bench:read' } = {}) {
      return {
        kind: 'oidc-provider',
        issuer,
        clientId: webClientId,
        clientAuthorization: basic(webClientId, webClientSecret),
        redirectUri: FLOW_REDIRECT_URI,
        scope,
      };
    },
    async request(scenario) {
      switch (scenario) {
        case 'cc-reference':
          return { url: tokenUrl, authorization: auth, body: form(cc) };
        case 'cc-jwt-es256':
          return { url: tokenUrl, authorization: auth, body: form({ ...cc, resource: OP_RESOURCES.es256 }) };
        case 'cc-jwt-rs256':
          return { url: tokenUrl, authorization: auth, body: form({ ...cc, resource: OP_RESOURCES.rs256 }) };
        case 'introspect-reference':
          return { url: introspectUrl, authorization: auth, body: form({ token: await issueOpaque() }) };
        case 'userinfo': {
          userinfoUser = await userTokenByFlow(await this.flowTarget({ scope: USERINFO_SCOPE }));
          const t = userinfoUser.token;
          if (t.includes('.') || t.length < 32)
            throw new Error(`oidc-provider (${adapter}) userinfo: not an opaque token: ${t.slice(0, 40)}…`);
          return { method: 'GET', url: userinfoUrl, authorization: `Bearer ${t}` };
        }
        default:
          throw new Error(`unknown scenario ${scenario}`);
      }
    },
    verify(scenario, { status, body }) {
      const who = `oidc-provider (${adapter}) ${scenario}`;
      if (scenario === 'userinfo') return checkUserinfo(who, userinfoUser?.sub, { status, body });
      if (status !== 200) throw new Error(`${who}: HTTP ${status}: ${JSON.stringify(body)}`);
      if (scenario === 'introspect-reference') {
        if (body.active !== true) throw new Error(`${who}: introspection says ${JSON.stringify(body)}`);
      } else if (scenario === 'cc-reference') {
        const t = String(body.access_token);
        if (!t || t.includes('.') || t.length < 32)
          throw new Error(`${who}: not an opaque token: ${JSON.stringify(body)}`);
      } else {
        checkJwt(body.access_token, scenario === 'cc-jwt-es256' ? 'ES256' : 'RS256', who);
      }
    },
    async stop() {
      await stop(proc.child);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Redis (our own throw-away instance, no persistence)
// ---------------------------------------------------------------------------------------------

/** redis-server's command line for a throw-away instance on 127.0.0.1:`port`, without persistence. */
export const redisServerArgv = (port) => [
  'redis-server',
  '--port',
  String(port),
  '--bind',
  '127.0.0.1',
  '--save',
  '',
  '--appendonly',
  'no',
  '--dir',
  tmpdir(),
];

export async function startRedis({ cpu, useTaskset }) {
  const ping = () => spawnSync('redis-cli', ['-p', String(REDIS_PORT), 'ping'], { encoding: 'utf8' });
  if (ping().stdout?.trim() === 'PONG') {
    throw new Error(
      `something already answers on 127.0.0.1:${REDIS_PORT}; not touching a Redis this script did not start`,
    );
  }
  const pidFile = join(tmpdir(), `tessera-bench-redis-${REDIS_PORT}.pid`);
  rmSync(pidFile, { force: true });
  const args = [...redisServerArgv(REDIS_PORT), '--daemonize', 'yes', '--pidfile', pidFile];
  const argv = useTaskset && cpu !== undefined ? ['taskset', '-c', String(cpu), ...args] : args;
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8' });
  if (r.error || r.status !== 0)
    throw new Error(`redis-server did not start: ${r.error?.message ?? r.stderr}`);
  const deadline = Date.now() + 5000;
  while (ping().stdout?.trim() !== 'PONG' || !existsSync(pidFile)) {
    if (Date.now() > deadline) throw new Error('redis-server did not answer PING in 5 s');
    await sleep(50);
  }
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  let stopped = false;
  return {
    pid,
    stop() {
      if (stopped) return;
      stopped = true;
      spawnSync('redis-cli', ['-p', String(REDIS_PORT), 'shutdown', 'nosave'], { stdio: 'ignore' });
    },
  };
}
