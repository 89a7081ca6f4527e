#!/usr/bin/env node
// Back-channel logout (OpenID Connect Back-Channel Logout 1.0): the time from an RP-initiated
// logout request to the last logout token delivered, with N clients signed in to one OP session,
// on both queue drivers of the built platform (the embedded in-process queue, BullMQ on Redis).
//
//   node tools/bench/backchannel-logout.mjs              # 200 rounds × 2 drivers; writes docs/benchmarks.md
//   node tools/bench/backchannel-logout.mjs --rounds 20 --no-docs   # smoke check, prints only
//   node tools/bench/backchannel-logout.mjs --help
//
// One round, in a fresh scripted browser (flow-client.mjs's cookie jar over node:http):
//   not timed  GET /auth/csrf; a password login through the flow API for client 1 (authorize →
//              POST /auth/login/password → redirect_to → code), then a code from each other client
//              (SSO: authorize → 303 with a code), each code exchanged for tokens (the ID tokens
//              carry the session's `sid` as each client knows it).
//   timed      t0 just before GET /oauth2/logout?id_token_hint&client_id&post_logout_redirect_uri&state
//              (303 to the registered post_logout_redirect_uri: no confirmation page, the hint is the
//              browser's own session); t_end when the listener in this process has received the
//              N-th logout token of that round (matched by path = client and `sid` = that client's
//              ID token's sid).
// Every client registers `backchannel_logout_uri` http://127.0.0.1:<port>/bcl/<i> on one node:http
// listener in this process that answers 200 at once. The platform runs with
// TESSERA_OUTBOUND_ALLOW_PRIVATE=true (its outbound client refuses loopback otherwise) and its
// production back-channel defaults (attempts, retry delay, timeout).
// Tessera (and redis-server) run on CPU 0 (taskset), this script (browser + listener) on CPU 1.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { browserRequest, CookieJar, createHttp } from './flow-client.mjs';
import { FLOW_REDIRECT_URI, ROOT, startTessera, TESSERA_MAIN } from './peers.mjs';
import {
  exitedUnexpectedly,
  freePort,
  hasCommand,
  ignore,
  pin,
  schedstat,
  sleep,
  start,
  started,
  stop,
} from './proc.mjs';
import { writeDoc } from './report.mjs';

export const BACKCHANNEL_MARKERS = {
  start: '<!-- bench:backchannel:start -->',
  end: '<!-- bench:backchannel:end -->',
};

const DRIVERS = [
  { id: 'in-process', label: 'embedded in-process queue' },
  { id: 'redis', label: 'BullMQ on Redis' },
];

const HELP = `Usage: node tools/bench/backchannel-logout.mjs [options]

  --rounds <n>        measured logouts per queue driver (default 200)
  --clients <n>       clients signed in to the session, each with a backchannel_logout_uri (default 10)
  --warmup <n>        unmeasured rounds before the measured ones, per driver (default 5)
  --drivers <list>    comma list of ${DRIVERS.map((d) => d.id).join(', ')} (default both)
  --no-docs           print only; do not write the back-channel section of docs/benchmarks.md
  --docs-file <path>  write the section into this file instead of docs/benchmarks.md (to check the output)
  --json <path>       where to write the raw results (default: a file in the temp dir)
  --help              this text

Needs the built platform (NX_DAEMON=false npx nx run platform:build) and, for the redis driver,
redis-server and redis-cli on PATH (a private instance on a free 127.0.0.1 port, no persistence).
`;

const { values: opts } = (() => {
  try {
    return parseArgs({
      options: {
        rounds: { type: 'string' },
        clients: { type: 'string' },
        warmup: { type: 'string' },
        drivers: { type: 'string' },
        'no-docs': { type: 'boolean', default: false },
        'docs-file': { type: 'string' },
        json: { type: 'string' },
        help: { type: 'boolean', default: false },
      },
    });
  } catch (e) {
    console.error(`${e.message}\n\n${HELP}`);
    process.exit(2);
  }
})();
if (opts.help) {
  process.stdout.write(HELP);
  process.exit(0);
}
const usage = (msg) => {
  console.error(msg);
  process.exit(2);
};
const int = (v, name, def, min, max) => {
  const n = Number(v ?? def);
  if (!Number.isInteger(n) || n < min || n > max) usage(`--${name} must be an integer from ${min} to ${max}`);
  return n;
};
const ROUNDS = int(opts.rounds, 'rounds', 200, 1, 10_000);
const CLIENTS = int(opts.clients, 'clients', 10, 1, 100);
const WARMUP = int(opts.warmup, 'warmup', 5, 0, 1000);
const drivers = opts.drivers
  ? opts.drivers
      .split(',')
      .map((id) => DRIVERS.find((d) => d.id === id.trim()) ?? usage(`unknown driver ${id}`))
  : DRIVERS;
const writeDocs = !opts['no-docs'];
const command = ['node', 'tools/bench/backchannel-logout.mjs', ...process.argv.slice(2)].join(' ');
const log = (...a) => console.log(`[backchannel ${new Date().toISOString().slice(11, 19)}]`, ...a);

/** How long one round's deliveries may take before the run fails (the first retry comes after 2 s). */
const ROUND_TIMEOUT_MS = 30_000;
/** After the last round: how long to wait for late or duplicate deliveries before counting. */
const SETTLE_MS = 2_000;
const SIGNED_OUT = 'http://127.0.0.1:9/signed-out'; // the post_logout_redirect_uri; never contacted
const BACKCHANNEL_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
const PASSWORD = `bench ${randomBytes(12).toString('base64url')} logout`;

// --- cleanup: every process this script started, and nothing else -----------------------------
let tessera;
let redis;
let listener;
const httpClient = createHttp({ maxSockets: 8 });
let cleaning;
async function cleanup() {
  cleaning ??= (async () => {
    httpClient.close();
    await tessera?.stop().catch(ignore);
    tessera = undefined;
    await redis?.stop().catch(ignore);
    redis = undefined;
    for (const child of [...started]) await stop(child, 2000).catch(ignore);
    await listener?.close().catch(ignore);
  })();
  return cleaning;
}
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, async () => {
    log(`${sig}: stopping the servers`);
    await cleanup();
    process.exit(130);
  });
}
// Per driver: start-up and set-up (≤ 90 s) plus, per round, a sign-in to every client and the
// deliveries (about 25 ms per client on this machine; budgeted at 200 ms per client + 2 s).
const budget = drivers.length * (90 + (ROUNDS + WARMUP) * (2 + 0.2 * CLIENTS)) * 1000;
const watchdog = setTimeout(async () => {
  console.error(`[backchannel] watchdog: still running after ${Math.round(budget / 1000)} s, giving up`);
  await cleanup();
  process.exit(3);
}, budget);

// --- machine ----------------------------------------------------------------------------------
const nproc = availableParallelism();
const cpuModel = (() => {
  const info = readFileSync('/proc/cpuinfo', 'utf8');
  const m =
    info.match(/^model name\s*:\s*(.+)$/m) ??
    info.match(/^Hardware\s*:\s*(.+)$/m) ??
    info.match(/^CPU part\s*:\s*(.+)$/m);
  return m ? m[1].trim() : 'unknown';
})();
const gitRev = (() => {
  try {
    const git = (...args) =>
      execFileSync('git', ['-C', ROOT, ...args], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim();
    const rev = git('rev-parse', '--short', 'HEAD');
    return git('status', '--porcelain', '--untracked-files=no') ? `${rev} (with uncommitted changes)` : rev;
  } catch {
    return 'unknown';
  }
})();
const buildTime = () => {
  try {
    return statSync(TESSERA_MAIN).mtime.toISOString().replace('T', ' ').slice(0, 19);
  } catch {
    return 'missing';
  }
};
const builtAtStart = buildTime();
const redisVersion = () => {
  const r = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  return r.error ? undefined : (/v=(\S+)/.exec(r.stdout)?.[1] ?? r.stdout.trim());
};

const useTaskset = hasCommand('taskset', ['--version']) && nproc >= 2;
const SERVER_CPU = 0;
const BENCH_CPU = 1;
if (useTaskset) {
  if (!pin(process.pid, String(BENCH_CPU))) throw new Error('taskset could not pin the bench process');
  log(
    `pinned: Tessera (and redis-server) on CPU ${SERVER_CPU}, this script (browser + listener) on CPU ${BENCH_CPU}`,
  );
} else {
  log(
    `WARNING: ${nproc < 2 ? 'fewer than 2 CPUs' : 'taskset not found'}: nothing is pinned; numbers will be noisier`,
  );
}

// --- small helpers ------------------------------------------------------------------------------
const pct = (sorted, p) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : NaN;
const mean = (xs) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
const fmt = (x, digits = 0) =>
  Number.isFinite(x)
    ? x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
    : '–';
const stats = (xs) => {
  const s = xs.slice().sort((a, b) => a - b);
  return {
    n: s.length,
    p50: pct(s, 50),
    p90: pct(s, 90),
    p99: pct(s, 99),
    max: s.at(-1) ?? NaN,
    mean: mean(s),
    min: s[0] ?? NaN,
  };
};

class StepError extends Error {}
function stepFail(step, res, why) {
  const loc = res?.headers?.location ? ` Location: ${res.headers.location}` : '';
  const body = res?.text ? ` body: ${res.text.slice(0, 300)}` : '';
  throw new StepError(`${step}: ${why}${res ? ` (HTTP ${res.status}${loc}${body})` : ''}`);
}
function jsonOf(step, res) {
  try {
    return JSON.parse(res.text);
  } catch {
    return stepFail(step, res, 'the body is not JSON');
  }
}
function redirectOf(step, res) {
  if (res.status !== 302 && res.status !== 303) stepFail(step, res, 'expected a redirect');
  if (!res.headers.location) stepFail(step, res, 'redirect without Location');
  return new URL(res.headers.location, tessera.issuer);
}
const jwtPart = (jwt, i) =>
  JSON.parse(Buffer.from(String(jwt).split('.')[i] ?? '', 'base64url').toString('utf8'));
function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

// --- the clients' back-channel logout endpoint -------------------------------------------------
/**
 * One node:http listener on 127.0.0.1 for every client (`/bcl/<i>`): reads the body, answers 200
 * at once, then decodes the logout token (no signature check: that is the e2e tests' job) and
 * hands `{ t, client, claims, header }` to `onDelivery`. Anything that is not a logout token POST
 * is recorded as a bad delivery (and still answered 200, so that Tessera does not retry it).
 */
async function startListener(onDelivery) {
  const bad = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size <= 64 * 1024) chunks.push(c);
    });
    req.on('end', () => {
      const t = performance.now();
      res.writeHead(200, { 'cache-control': 'no-store', 'content-length': '0' }).end();
      const m = /^\/bcl\/(\d+)$/.exec(req.url ?? '');
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const token = form.get('logout_token');
      if (req.method !== 'POST' || !m || !token) {
        bad.push(`${req.method} ${req.url}: ${token ? 'unknown path' : 'no logout_token'}`);
        return;
      }
      try {
        onDelivery({ t, client: Number(m[1]), header: jwtPart(token, 0), claims: jwtPart(token, 1) });
      } catch (e) {
        bad.push(`${req.url}: ${e.message}`);
      }
    });
    req.on('error', (e) => bad.push(`${req.url}: ${e.message}`));
  });
  server.keepAliveTimeout = 5000;
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  return {
    url: (i) => `http://127.0.0.1:${port}/bcl/${i}`,
    bad,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

// --- Redis: a private throw-away instance on a free loopback port -----------------------------
async function startRedis() {
  if (!hasCommand('redis-server') || !hasCommand('redis-cli'))
    throw new Error(
      'the redis driver needs redis-server and redis-cli on PATH (or run with --drivers in-process)',
    );
  const port = await freePort();
  const cli = (...args) =>
    spawnSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], {
      encoding: 'utf8',
      timeout: 5000,
    });
  if (cli('ping').stdout?.trim() === 'PONG')
    throw new Error(
      `something already answers on 127.0.0.1:${port}; not touching a Redis this script did not start`,
    );
  // In the foreground, as this script's child (stopped with the rest), no persistence.
  const proc = start(
    [
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
    ],
    { env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, cpu: SERVER_CPU, useTaskset },
  );
  const deadline = Date.now() + 5000;
  while (cli('ping').stdout?.trim() !== 'PONG') {
    if (proc.child.exitCode !== null)
      throw new Error(`redis-server exited with ${proc.child.exitCode}:\n${proc.output()}`);
    if (Date.now() > deadline) {
      await stop(proc.child, 1000);
      throw new Error(`redis-server did not answer PING in 5 s:\n${proc.output()}`);
    }
    await sleep(50);
  }
  const info = () =>
    Object.fromEntries(
      cli('info', 'stats')
        .stdout.split(/\r?\n/)
        .filter((l) => l.includes(':'))
        .map((l) => l.split(':')),
    );
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    pid: proc.child.pid,
    commandsProcessed: () => Number(info().total_commands_processed),
    keys: () => Number(cli('dbsize').stdout.trim()),
    stop: () => stop(proc.child, 3000),
  };
}

// --- the browser ------------------------------------------------------------------------------
const browser = (jar, method, pathOrUrl, options) =>
  browserRequest(httpClient, jar, method, new URL(pathOrUrl, tessera.issuer).href, options);
const flowPost = (jar, path, body) =>
  browser(jar, 'POST', path, {
    headers: { 'content-type': 'application/json', 'x-csrf-token': jar.get('tessera_csrf') },
    body: JSON.stringify(body),
  });
function redirectTo(step, res) {
  if (res.status !== 200) stepFail(step, res, 'expected 200');
  const body = jsonOf(step, res);
  if (typeof body.redirect_to !== 'string') stepFail(step, res, 'no redirect_to');
  return body.redirect_to;
}

/** A fresh browser that loaded the portal: it holds only the `tessera_csrf` cookie. */
async function portalBrowser() {
  const jar = new CookieJar();
  const res = await browser(jar, 'GET', '/auth/csrf');
  if (res.status !== 200) stepFail('GET /auth/csrf', res, 'expected 200');
  const token = jsonOf('GET /auth/csrf', res).csrf_token;
  if (typeof token !== 'string' || jar.get('tessera_csrf') !== token)
    stepFail('GET /auth/csrf', res, 'no csrf_token matching the tessera_csrf cookie');
  return jar;
}

/**
 * A code for `client` in this browser, exchanged for tokens: the password login when the token
 * service asks for one (only when `login` — every other client must get SSO), consent when asked
 * (remembered, so only in a driver's first round). Returns the ID token and its claims.
 */
async function signInTo(jar, client, user, { login, counts }) {
  const { verifier, challenge } = pkce();
  const state = randomBytes(12).toString('base64url');
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: client.clientId,
    redirect_uri: FLOW_REDIRECT_URI,
    scope: 'openid',
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
  let step = `client ${client.index} GET /oauth2/authorize`;
  let res = await browser(jar, 'GET', `/oauth2/authorize?${query}`);
  let url = redirectOf(step, res);
  for (let hops = 0; ; hops++) {
    if (hops > 3) stepFail(step, res, 'too many steps before the code');
    if (`${url.origin}${url.pathname}` === FLOW_REDIRECT_URI) break;
    if (url.origin === tessera.issuer && url.pathname === '/login') {
      if (!login)
        stepFail(step, res, 'expected SSO (a code at once), got the login page: the OP session was not used');
      counts.logins++;
      const loginChallenge = url.searchParams.get('login_challenge');
      step = `client ${client.index} POST /auth/login/password`;
      const to = redirectTo(
        step,
        await flowPost(jar, '/auth/login/password', {
          login_challenge: loginChallenge,
          email: user.email,
          password: PASSWORD,
          remember: false,
        }),
      );
      step = `client ${client.index} GET redirect_to after login`;
      res = await browser(jar, 'GET', to);
      url = redirectOf(step, res);
      if (!jar.get('tessera_session')) stepFail(step, res, 'no tessera_session (OP session) cookie');
      continue;
    }
    if (url.origin === tessera.issuer && url.pathname === '/consent') {
      counts.consents++;
      const consentChallenge = url.searchParams.get('consent_challenge');
      step = `client ${client.index} GET /auth/consent`;
      const view = await browser(
        jar,
        'GET',
        `/auth/consent?consent_challenge=${encodeURIComponent(consentChallenge)}`,
      );
      if (view.status !== 200) stepFail(step, view, 'expected 200');
      const scope = jsonOf(step, view).requested_scope;
      step = `client ${client.index} POST /auth/consent/accept`;
      const to = redirectTo(
        step,
        await flowPost(jar, '/auth/consent/accept', {
          consent_challenge: consentChallenge,
          grant_scope: scope,
          remember: true,
        }),
      );
      step = `client ${client.index} GET redirect_to after consent`;
      res = await browser(jar, 'GET', to);
      url = redirectOf(step, res);
      continue;
    }
    stepFail(step, res, 'expected the login page, the consent page or the client with a code');
  }
  const p = url.searchParams;
  if (p.get('error'))
    stepFail(step, res, `authorization error ${p.get('error')}: ${p.get('error_description')}`);
  if (p.get('state') !== state) stepFail(step, res, 'state does not match');
  if (p.has('iss') && p.get('iss') !== tessera.issuer) stepFail(step, res, `iss is ${p.get('iss')}`);
  if (!p.get('code')) stepFail(step, res, 'no code');

  step = `client ${client.index} POST /oauth2/token`;
  res = await httpClient.request('POST', `${tessera.issuer}/oauth2/token`, {
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: p.get('code'),
      redirect_uri: FLOW_REDIRECT_URI,
      client_id: client.clientId,
      code_verifier: verifier,
    }).toString(),
  });
  if (res.status !== 200) stepFail(step, res, 'expected 200');
  const idToken = jsonOf(step, res).id_token;
  if (typeof idToken !== 'string') stepFail(step, res, 'no id_token');
  const claims = jwtPart(idToken, 1);
  if (claims.sub !== user.sub)
    stepFail(step, res, `the ID token's sub is ${claims.sub}, expected ${user.sub}`);
  if (typeof claims.sid !== 'string' || !claims.sid) stepFail(step, res, 'the ID token has no sid');
  return { idToken, claims };
}

// --- one driver ---------------------------------------------------------------------------------
/**
 * The round in progress: the sid each client's logout token must carry, what has arrived.
 * Deliveries that match no round in progress are kept in `strays` (late, duplicate or foreign).
 */
let current;
const sidRound = new Map(); // `${client}\0${sid}` → round label, for every round of this driver
const strays = [];
let deliveryCount = 0;

function onDelivery(d) {
  deliveryCount++;
  const key = `${d.client}\0${d.claims.sid}`;
  const r = current;
  const problem = (why) => strays.push({ ...d, why, round: sidRound.get(key) });
  if (!r || r.expected.get(d.client) !== d.claims.sid)
    return problem(sidRound.has(key) ? 'late or duplicate' : 'unknown sid/client');
  if (r.received.has(d.client)) return problem('duplicate in its round');
  const c = r.clients[d.client];
  if (d.header.typ !== 'logout+jwt') return problem(`typ ${d.header.typ}`);
  if (d.claims.aud !== c.clientId && !(Array.isArray(d.claims.aud) && d.claims.aud.includes(c.clientId)))
    return problem(`aud ${JSON.stringify(d.claims.aud)}`);
  if (d.claims.iss !== tessera.issuer) return problem(`iss ${d.claims.iss}`);
  if (d.claims.sub !== undefined && d.claims.sub !== r.sub) return problem(`sub ${d.claims.sub}`);
  if (!d.claims.events || typeof d.claims.events[BACKCHANNEL_EVENT] !== 'object')
    return problem('no back-channel logout event');
  if ('nonce' in d.claims) return problem('has a nonce');
  r.received.set(d.client, d.t);
  if (r.received.size === r.expected.size) r.done();
}

async function measureDriver(driver) {
  let redisStats;
  const env = { TESSERA_OUTBOUND_ALLOW_PRIVATE: 'true' };
  if (driver.id === 'redis') {
    redis = await startRedis();
    env.REDIS_URL = redis.url;
    log(
      `started redis-server ${redisVersion() ?? ''} (pid ${redis.pid}) on 127.0.0.1:${redis.port}, no persistence`,
    );
  }
  const database = 'SQLite (a fresh temp data directory; no DATABASE_URL)';
  tessera = await startTessera({ cpu: SERVER_CPU, useTaskset, claimsServer: false, env });
  log(
    `started Tessera (pid ${tessera.pid}): database ${database}, queue ${driver.id === 'redis' ? `BullMQ on ${redis.url}` : 'in-process (no REDIS_URL)'}`,
  );

  const email = `logout-${Date.now().toString(36)}@bench.example`;
  const u = await tessera.internalPost('/internal/users', {
    email,
    password: PASSWORD,
    email_verified: true,
  });
  if (!u.sub) throw new Error(`internal POST /internal/users: ${JSON.stringify(u)}`);
  const user = { sub: u.sub, email };
  const clients = [];
  for (let i = 0; i < CLIENTS; i++) {
    const c = await tessera.internalPost('/internal/clients', {
      client_name: `Back-channel bench ${i + 1}`,
      redirect_uris: [FLOW_REDIRECT_URI],
      post_logout_redirect_uris: [SIGNED_OUT],
      backchannel_logout_uri: listener.url(i),
      backchannel_logout_session_required: true,
      grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'none',
      allowed_scopes: ['openid'],
    });
    if (!c.client_id) throw new Error(`internal POST /internal/clients: ${JSON.stringify(c)}`);
    if (c.backchannel_logout_uri !== undefined && c.backchannel_logout_uri !== listener.url(i))
      throw new Error(`client ${i}: backchannel_logout_uri registered as ${c.backchannel_logout_uri}`);
    clients.push({ index: i, clientId: c.client_id });
  }
  log(`created 1 user and ${CLIENTS} public clients with backchannel_logout_uri ${listener.url('<i>')}`);

  const counts = { logins: 0, consents: 0 };
  const rounds = [];
  sidRound.clear();
  strays.length = 0;
  deliveryCount = 0;
  const redisBefore = redis?.commandsProcessed();
  let schedBefore;
  let measuredStartedAt;
  const total = WARMUP + ROUNDS;
  for (let k = 1; k <= total; k++) {
    if (exitedUnexpectedly.length)
      throw new Error(`a process exited during the benchmark: ${JSON.stringify(exitedUnexpectedly)}`);
    const warm = k <= WARMUP;
    const label = warm ? `warm-up ${k}` : `round ${k - WARMUP}`;
    if (k === WARMUP + 1) {
      schedBefore = schedstat(tessera.pid);
      measuredStartedAt = performance.now();
    }
    // Not timed: sign in, then a code and tokens from every client.
    const ts = performance.now();
    const jar = await portalBrowser();
    const signedIn = [];
    for (const c of clients) signedIn.push(await signInTo(jar, c, user, { login: c.index === 0, counts }));
    const signInMs = performance.now() - ts;
    const expected = new Map(signedIn.map((s, i) => [i, s.claims.sid]));
    for (const [i, sid] of expected) sidRound.set(`${i}\0${sid}`, label);
    if (new Set(expected.values()).size !== 1 && k === 1)
      log(
        `note: the clients know the session by ${new Set(expected.values()).size} different sids (pairwise)`,
      );

    // The logout, from the client whose turn it is, with its ID token as the hint.
    const from = (k - 1) % CLIENTS;
    const query = new URLSearchParams({
      id_token_hint: signedIn[from].idToken,
      client_id: clients[from].clientId,
      post_logout_redirect_uri: SIGNED_OUT,
      state: `bye-${k}`,
    });
    let done;
    const allDelivered = new Promise((resolve) => (done = resolve));
    current = { label, expected, received: new Map(), clients, sub: user.sub, done };
    const t0 = performance.now();
    const res = await browser(jar, 'GET', `/oauth2/logout?${query}`);
    const tResponse = performance.now();
    const step = `${label}: GET /oauth2/logout`;
    if (res.status !== 303)
      stepFail(
        step,
        res,
        res.status === 200
          ? 'expected 303 to the post_logout_redirect_uri (a page was shown: confirmation or front-channel?)'
          : 'expected 303',
      );
    const back = redirectOf(step, res);
    if (`${back.origin}${back.pathname}` !== SIGNED_OUT || back.searchParams.get('state') !== `bye-${k}`)
      stepFail(step, res, `expected a redirect to ${SIGNED_OUT} with state bye-${k}`);
    if (jar.get('tessera_session')) stepFail(step, res, 'the tessera_session cookie was not cleared');
    let timer;
    const timedOut = await Promise.race([
      allDelivered.then(() => false),
      new Promise((resolve) => (timer = setTimeout(() => resolve(true), ROUND_TIMEOUT_MS))),
    ]);
    clearTimeout(timer);
    if (timedOut) {
      const missing = [...expected.keys()].filter((i) => !current.received.has(i));
      throw new Error(
        `${label}: only ${current.received.size} of ${CLIENTS} logout tokens arrived within ${ROUND_TIMEOUT_MS / 1000} s ` +
          `(missing clients ${missing.join(', ')}); stray deliveries so far: ${strays.length}`,
      );
    }
    const times = [...current.received.values()];
    const round = {
      round: warm ? 0 : k - WARMUP,
      warmup: warm,
      signInMs,
      responseMs: tResponse - t0,
      firstMs: Math.min(...times) - t0,
      lastMs: Math.max(...times) - t0,
      deliveries: current.received.size,
    };
    current = undefined;
    rounds.push(round);
    if (!warm && (round.round % 50 === 0 || round.round === ROUNDS))
      log(
        `${driver.id}: ${round.round}/${ROUNDS} rounds, last: logout → last delivery ${fmt(round.lastMs, 1)} ms ` +
          `(response ${fmt(round.responseMs, 1)} ms, first delivery ${fmt(round.firstMs, 1)} ms), sign-in to ${CLIENTS} clients ${fmt(signInMs)} ms`,
      );
  }
  const measuredMs = performance.now() - measuredStartedAt;
  const schedAfter = schedstat(tessera.pid);
  // Late or duplicate deliveries would show up here.
  await sleep(SETTLE_MS);

  // What Tessera recorded: nothing left retrying or failed, every delivery at its first attempt.
  const deliveriesApi = await tessera.flowTarget();
  const recorded = async (status) => {
    const r = await httpClient.request(
      'GET',
      `${deliveriesApi.internalBase}/internal/backchannel-deliveries?status=${status}&limit=1000`,
      { headers: { authorization: deliveriesApi.operatorAuthorization } },
    );
    if (r.status !== 200)
      stepFail(`GET /internal/backchannel-deliveries?status=${status}`, r, 'expected 200');
    return jsonOf('GET /internal/backchannel-deliveries', r);
  };
  const [delivered, retrying, failed] = [
    await recorded('delivered'),
    await recorded('retrying'),
    await recorded('failed'),
  ];
  if (redis) redisStats = { commands: redis.commandsProcessed() - redisBefore, keys: redis.keys() };

  const measured = rounds.filter((r) => !r.warmup);
  const result = {
    driver: driver.id,
    driverLabel: driver.label,
    database,
    queue:
      driver.id === 'redis'
        ? `BullMQ on a private redis-server ${redisVersion() ?? ''} (127.0.0.1, no persistence)`
        : 'in-process (no REDIS_URL)',
    rounds: measured.length,
    warmupRounds: WARMUP,
    clients: CLIENTS,
    deliveriesMeasured: measured.reduce((a, r) => a + r.deliveries, 0),
    deliveriesAll: deliveryCount,
    expectedMeasured: ROUNDS * CLIENTS,
    expectedAll: total * CLIENTS,
    strays: strays.map(({ client, claims, why, round }) => ({ client, sid: claims.sid, why, round })),
    badRequests: listener.bad.slice(),
    last: stats(measured.map((r) => r.lastMs)),
    first: stats(measured.map((r) => r.firstMs)),
    response: stats(measured.map((r) => r.responseMs)),
    signIn: stats(measured.map((r) => r.signInMs)),
    logins: counts.logins,
    consents: counts.consents,
    recorded: {
      deliveredListed: delivered.length,
      maxAttempts: Math.max(0, ...delivered.map((d) => d.attempts)),
      retrying: retrying.length,
      failed: failed.length,
      failedReasons: [...new Set(failed.map((d) => d.last_error))].slice(0, 5),
    },
    runqWait: schedBefore && schedAfter ? (schedAfter.wait - schedBefore.wait) / 1e6 / measuredMs : NaN,
    measuredSeconds: measuredMs / 1000,
    redis: redisStats,
    perRound: rounds,
  };
  listener.bad.length = 0;

  await tessera.stop();
  tessera = undefined;
  if (redis) {
    await redis.stop();
    redis = undefined;
  }
  return result;
}

/** Exactly one logout token per client per round, nothing else: otherwise the run fails loudly. */
function check(r) {
  const problems = [];
  if (r.deliveriesMeasured !== r.expectedMeasured)
    problems.push(
      `${r.deliveriesMeasured} deliveries in the measured rounds, expected exactly ${r.expectedMeasured}`,
    );
  if (r.deliveriesAll !== r.expectedAll)
    problems.push(
      `${r.deliveriesAll} deliveries received in all (warm-up included), expected exactly ${r.expectedAll}`,
    );
  if (r.strays.length)
    problems.push(`${r.strays.length} stray deliveries: ${JSON.stringify(r.strays.slice(0, 5))}`);
  if (r.badRequests.length)
    problems.push(
      `${r.badRequests.length} bad requests to the listener: ${r.badRequests.slice(0, 5).join('; ')}`,
    );
  if (r.recorded.retrying || r.recorded.failed)
    problems.push(
      `Tessera records ${r.recorded.retrying} deliveries retrying and ${r.recorded.failed} failed (${r.recorded.failedReasons.join('; ')})`,
    );
  if (r.logins !== r.rounds + r.warmupRounds)
    problems.push(`${r.logins} password logins, expected one per round`);
  return problems;
}

// --- main ---------------------------------------------------------------------------------------
const startedAt = new Date();
const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const loadAtStart = loadavg();
const results = [];
let exitCode = 0;
try {
  listener = await startListener(onDelivery);
  log(
    `${drivers.length} driver(s) × (${WARMUP} warm-up + ${ROUNDS} measured) rounds, ${CLIENTS} clients signed in per round`,
  );
  for (const driver of drivers) {
    const t = performance.now();
    let r;
    try {
      r = await measureDriver(driver);
    } catch (e) {
      if (tessera) console.error(`--- last output of Tessera ---\n${tessera.output().slice(-4000)}`);
      throw new Error(`${driver.id}: ${e.message}`, { cause: e });
    }
    r.wallSeconds = (performance.now() - t) / 1000;
    results.push(r);
    log(
      `${driver.id}: logout → last of ${CLIENTS} deliveries p50 ${fmt(r.last.p50, 1)} ms, p99 ${fmt(r.last.p99, 1)} ms; ` +
        `${r.deliveriesMeasured}/${r.expectedMeasured} deliveries; ${fmt(r.wallSeconds)} s`,
    );
    const problems = check(r);
    if (problems.length)
      throw new Error(`${driver.id}: the deliveries are wrong:\n  - ${problems.join('\n  - ')}`);
  }

  const machine = {
    nproc,
    cpuModel,
    node: process.version,
    kernel: execFileSync('uname', ['-r'], { encoding: 'utf8' }).trim(),
    pinned: useTaskset,
    git: gitRev,
    tesseraBuild: builtAtStart,
    rebuiltDuringRun: buildTime() !== builtAtStart,
    loadavg: { start: loadAtStart, end: loadavg() },
  };
  if (machine.rebuiltDuringRun)
    log(
      `WARNING: ${TESSERA_MAIN} was rebuilt during the run; the first driver ran the build of ${builtAtStart}`,
    );
  const table = resultsTable(results);
  console.log(
    `\n## Back-channel logout: logout request → last of ${CLIENTS} logout tokens received\n\n${table}\n\n${detailTable(results)}\n`,
  );

  const jsonPath =
    opts.json ??
    join(tmpdir(), `tessera-bench-backchannel-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(
    jsonPath,
    JSON.stringify(
      { command, startedAt, machine, rounds: ROUNDS, clients: CLIENTS, warmup: WARMUP, results },
      null,
      2,
    ),
  );
  log(`raw results: ${jsonPath}`);
  if (writeDocs) {
    const docsFile = opts['docs-file'] ?? join(ROOT, 'docs/benchmarks.md');
    writeDoc(docsFile, docSection({ table, results, machine }), '# Benchmarks', BACKCHANNEL_MARKERS);
    log(`wrote the back-channel logout section of ${docsFile}`);
  }
} catch (e) {
  console.error(`\n[backchannel] FAILED: ${e.stack ?? e}`);
  exitCode = 1;
} finally {
  await cleanup();
  clearTimeout(watchdog);
}
process.exit(exitCode);

// --- tables and docs ----------------------------------------------------------------------------
function resultsTable(rs) {
  const out = [
    `| Queue driver | Database | logouts | deliveries (must be ${ROUNDS * CLIENTS}) | p50 ms | p90 ms | p99 ms | max ms | mean ms |`,
    '|---|---|--:|--:|--:|--:|--:|--:|--:|',
  ];
  for (const r of rs)
    out.push(
      `| ${r.driverLabel} | SQLite | ${r.rounds} | ${r.deliveriesMeasured} | ${fmt(r.last.p50, 1)} | ${fmt(r.last.p90, 1)} | ${fmt(r.last.p99, 1)} | ${fmt(r.last.max, 1)} | ${fmt(r.last.mean, 1)} |`,
    );
  return out.join('\n');
}

function detailTable(rs) {
  const out = [
    '| Queue driver | logout response (303) p50 / p99 ms | first delivery p50 / p99 ms | last − first p50 ms | sign-in to all clients (not timed) p50 ms | Tessera run-queue wait | recorded: delivered, max attempts, retrying, failed | Redis commands | wall time |',
    '|---|--:|--:|--:|--:|--:|---|--:|--:|',
  ];
  for (const r of rs) {
    const spread = stats(r.perRound.filter((x) => !x.warmup).map((x) => x.lastMs - x.firstMs));
    out.push(
      `| ${r.driverLabel} | ${fmt(r.response.p50, 1)} / ${fmt(r.response.p99, 1)} | ${fmt(r.first.p50, 1)} / ${fmt(r.first.p99, 1)} | ${fmt(spread.p50, 1)} | ${fmt(r.signIn.p50)} | ${fmt(r.runqWait * 100)} % | ${r.recorded.deliveredListed}${r.recorded.deliveredListed === 1000 ? ' (latest 1000)' : ''}, ${r.recorded.maxAttempts}, ${r.recorded.retrying}, ${r.recorded.failed} | ${r.redis ? fmt(r.redis.commands) : '–'} | ${fmt(r.wallSeconds)} s |`,
    );
  }
  return out.join('\n');
}

function docSection({ table, results: rs, machine }) {
  return `
## Back-channel logout

How long an RP-initiated logout takes to reach every client's back channel (OpenID Connect
Back-Channel Logout 1.0), measured by \`tools/bench/backchannel-logout.mjs\` against the built
platform (\`dist/apps/platform/main.js\`) on SQLite with each queue driver in turn: the embedded
in-process queue (no \`REDIS_URL\`) and BullMQ on a private \`redis-server\` (\`REDIS_URL\`, still
SQLite: the platform does not need PostgreSQL for Redis queues). The issue asks for the time from
the logout request to the last back-channel delivery with 10 clients signed in, p50/p99 over 200
logouts, on both queue drivers.

\`\`\`sh
NX_DAEMON=false npx nx run platform:build
node tools/bench/backchannel-logout.mjs                          # 200 logouts × 2 drivers; rewrites this section
node tools/bench/backchannel-logout.mjs --rounds 20 --no-docs    # smoke check, prints only
\`\`\`

What one logout is: ${CLIENTS} public clients (\`authorization_code\`, PKCE, \`scope=openid\`), each
registered with \`backchannel_logout_uri\` → \`http://127.0.0.1:<port>/bcl/<i>\` (one \`node:http\`
listener in the benchmark process, answering 200 at once) and \`backchannel_logout_session_required\`.
A fresh scripted browser signs one user in with a password through the flow API (\`GET
/oauth2/authorize\` → \`POST /auth/login/password\` → \`redirect_to\`), takes a code and tokens from the
first client, then from each other client by SSO (\`GET /oauth2/authorize\` → 303 with a code: one OP
session, ${CLIENTS} clients on it); none of this is timed. Then **t0**, just before \`GET
/oauth2/logout?id_token_hint=…&client_id=…&post_logout_redirect_uri=…&state=…\` (the hint is this
browser's own session, so no confirmation page: 303 to the post-logout redirect URI), and **t_end**,
when the listener has received the ${CLIENTS}th logout token of that session (each token's path names
its client, its \`sid\` must be the one in that client's ID token; tokens are decoded, not verified,
here — the e2e tests verify them). Reported: t_end − t0. Rounds are sequential; the logging-out
client rotates. The platform runs with \`TESSERA_OUTBOUND_ALLOW_PRIVATE=true\` (its outbound HTTP
client refuses loopback otherwise) and its default back-channel settings (no
\`TESSERA_BACKCHANNEL_*\` variable set: a failed delivery would be retried after 2 s, which would
show). Every other answer is checked (status, \`Location\`, cookies, \`state\`,
\`iss\`, ID token \`sub\` and \`sid\`); the run fails if a round's deliveries do not all arrive within
${ROUND_TIMEOUT_MS / 1000} s, if any delivery is duplicated, late, unknown or malformed, if the count is
not exactly rounds × clients, or if Tessera records a delivery as retrying or failed. Tessera (and
\`redis-server\`) run on CPU 0, the benchmark (browser and listener) on CPU 1.

<!-- generated by tools/bench/backchannel-logout.mjs: everything between the markers is rewritten -->

### Latest run

- **Command:** \`${command}\` (from the repository root)
- **Date:** ${startedAt.toISOString().replace('T', ' ').slice(0, 16)} UTC, Tessera at ${machine.git}, \`dist/apps/platform/main.js\` built ${machine.tesseraBuild} UTC${machine.rebuiltDuringRun ? ' (**rebuilt during the run**)' : ''}
- **Machine:** ${machine.nproc} CPUs (\`nproc\`), ${machine.cpuModel}, Linux ${machine.kernel}, Node.js ${machine.node}${machine.pinned ? ', Tessera and redis-server pinned to CPU 0, the benchmark to CPU 1' : ' — **not pinned** (taskset missing or 1 CPU)'}; a shared machine
- **Machine load:** load average ${machine.loadavg.start} at the start, ${machine.loadavg.end} at the end (1/5/15 min)
- **Load:** ${ROUNDS} logouts per driver after ${WARMUP} warm-up logouts (not counted), ${CLIENTS} clients signed in per logout, one at a time
${rs.map((r) => `- **${r.driverLabel}:** database ${r.database}; queue ${r.queue}`).join('\n')}

#### Logout request → last of ${CLIENTS} logout tokens received

${table}

#### Details

${detailTable(rs)}

The logout response is the 303 of \`/oauth2/logout\` (the OP session ended and the back-channel
notices written to the outbox in its transaction); the first and last deliveries are counted from
the same t0 (p50 / p99 over the measured logouts; the sign-in before each logout is not part of
any timing). "Recorded" is what \`GET /internal/backchannel-deliveries\` lists afterwards (at most
1000 per status). Run-queue wait: the share of the measured rounds Tessera's main thread was
runnable but waiting for its CPU (other processes on the shared machine; for the Redis driver,
\`redis-server\` too, pinned to the same CPU). Redis commands: what
\`redis-server\` processed from the first warm-up logout to the end (BullMQ's jobs and the
platform's other Redis use). Wall time includes the start-up, the sign-ins and the warm-up.
`;
}
