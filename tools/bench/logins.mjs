#!/usr/bin/env node
// Tessera's logins: password logins per second and per CPU-second beside the cost of their
// argon2id hash alone, failed logins on existing vs unknown accounts (the timing must not tell
// them apart), and re-authentications with an existing login session, scripted over HTTP against
// the built platform's flow API (the calls the portal's /login page makes).
//
//   node tools/bench/logins.mjs            # 10 s runs, 3 rounds, writes the logins section of docs/benchmarks.md
//   node tools/bench/logins.mjs --quick    # 3 s runs, 1 round, prints only (smoke check)
//   node tools/bench/logins.mjs --help
//
// Scenarios, for each round in this order (interleaved, never concurrent):
//   hash      @node-rs/argon2 `verify` of a hash made with the production parameters (read from
//             libs/auth-service/src/passwords/password-hasher.ts), one at a time, in a separate
//             process pinned to the server's CPU while the server is idle: verifies per CPU-second.
//   password  fresh browser → GET /oauth2/authorize → POST /auth/login/password (right password)
//             → GET redirect_to (the token service takes the accepted login: OP session, consent).
//   failed    POST /auth/login/password with a wrong password for an existing account, alternating
//             with one for an account that does not exist; latency of each kind, side by side.
//   reauth    browser holding only its `tessera_login` cookie → GET /oauth2/authorize → POST
//             /auth/login/continue → GET redirect_to.
// Tessera runs alone on CPU 0 (taskset); this script (the browsers) runs on CPU 1. The platform
// is started with TESSERA_TRUSTED_PROXIES=127.0.0.1 so that each failed attempt can name its own
// client IP in X-Forwarded-For (198.18.0.0/15, the benchmarking range) and no attempt is throttled.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fail, parseBenchArgs } from './cli.mjs';
import {
  createHttp,
  jsonOf,
  jwtPart,
  pkce,
  portalClient,
  redirectOf,
  redirectTo,
  stepFail,
} from './flow-client.mjs';
import { machineRecord, packageVersion, speedLine } from './machine.mjs';
import { FLOW_REDIRECT_URI, ROOT, startTessera } from './peers.mjs';
import {
  cpuSeconds,
  exitedUnexpectedly,
  guardRun,
  ignore,
  pinBenchProcess,
  schedstat,
  SERVER_CPU,
  sleep,
  start,
  stop,
  stopStarted,
} from './proc.mjs';
import { fmt, writeDoc, writeRawResults } from './report.mjs';
import { mean, median, pct } from './stats.mjs';

export const LOGIN_MARKERS = { start: '<!-- bench:logins:start -->', end: '<!-- bench:logins:end -->' };

const SCENARIOS = [
  { id: 'hash', label: 'argon2id verify alone (production parameters, one thread)' },
  { id: 'password', label: 'password login: authorize → POST /auth/login/password → redirect_to' },
  { id: 'failed', label: 'failed password login: existing account (wrong password) vs unknown account' },
  { id: 'reauth', label: 'login-session re-authentication: authorize → POST /auth/login/continue → redirect_to' },
];

const HELP = `Usage: node tools/bench/logins.mjs [options]

  --duration <s>              measured seconds per run (default 10; 3 with --quick)
  --warmup <s>                unmeasured warm-up seconds before each run (default 2)
  --rounds <n>                rounds; the tables show the median (default 3; 1 with --quick)
  --concurrency <n>           concurrent browsers for password logins and re-authentications (default 8)
  --failed-concurrency <n>    concurrent browsers for failed logins (default 1: latency without queueing)
  --quick                     smoke check: 3 s, 1 round, does not write docs/benchmarks.md
  --scenarios <list>          comma list of ${SCENARIOS.map((s) => s.id).join(', ')} (default all)
  --docs / --no-docs          write the logins section of docs/benchmarks.md (default: on, off with --quick)
  --docs-file <path>          write the section into this file instead of docs/benchmarks.md (to check the output)
  --json <path>               where to write the raw results (default: a file in the temp dir)
`;

const { opts, duration, warmup, rounds, load: concurrency, writeDocs, scenarios, command, log } = parseBenchArgs({
  script: 'tools/bench/logins.mjs',
  help: HELP,
  tag: 'logins',
  load: { name: 'concurrency', default: 8 },
  scenarios: SCENARIOS,
  options: { 'failed-concurrency': { type: 'string' }, 'docs-file': { type: 'string' } },
});
const usage = (msg) => {
  console.error(msg);
  process.exit(2);
};
if (opts.peers !== undefined) usage('--peers: this benchmark measures Tessera only');
const failedConcurrency = Number(opts['failed-concurrency'] ?? 1);
if (!Number.isInteger(failedConcurrency) || failedConcurrency < 1) usage('--failed-concurrency must be an integer ≥ 1');
const has = (id) => scenarios.some((s) => s.id === id);

// --- the production argon2id parameters, from the source the platform is built from ------------
const HASHER_SOURCE = 'libs/auth-service/src/passwords/password-hasher.ts';
const ARGON2 = (() => {
  const src = readFileSync(join(ROOT, HASHER_SOURCE), 'utf8');
  const m = /ARGON2_PARAMS\s*=\s*\{([^}]*)\}/.exec(src);
  if (!m) fail(`no ARGON2_PARAMS in ${HASHER_SOURCE}`);
  if (!/algorithm:\s*Algorithm\.Argon2id\b/.test(m[1])) fail(`ARGON2_PARAMS in ${HASHER_SOURCE} is not argon2id`);
  const num = (key) => {
    const v = new RegExp(`${key}:\\s*([\\d_]+)`).exec(m[1]);
    if (!v) fail(`no ${key} in ARGON2_PARAMS (${HASHER_SOURCE})`);
    return Number(v[1].replaceAll('_', ''));
  };
  return { memoryCost: num('memoryCost'), timeCost: num('timeCost'), parallelism: num('parallelism') };
})();
const ARGON2_MODULE = createRequire(join(ROOT, 'package.json')).resolve('@node-rs/argon2');
const argon2Version = packageVersion('@node-rs/argon2');

// --- machine ----------------------------------------------------------------------------------
const useTaskset = pinBenchProcess({
  log,
  server: 'Tessera and the hash process',
  bench: 'this script (the browsers)',
  unpinned: 'server and load generator are NOT pinned',
});
const record = machineRecord({ pinned: useTaskset });
const { startedAt } = record;

// --- cleanup: every process this script started, and nothing else -----------------------------
let tessera;
const httpClient = createHttp({ maxSockets: Math.max(concurrency, failedConcurrency) * 2 + 4 });
// Per run: set-up (users, sign-ins) + warm-up + window + what is in flight at the end.
const perRunSeconds = warmup + duration + 60;
const guard = guardRun({
  tag: 'logins',
  log,
  servers: 'the server',
  budgetMs: (rounds * scenarios.length * perRunSeconds + 180) * 1000,
  async stopAll() {
    httpClient.close();
    await tessera?.stop().catch(ignore);
    await stopStarted();
  },
});

// --- small helpers ------------------------------------------------------------------------------
const pctFmt = (x) => (Number.isFinite(x) ? `${fmt(x * 100)} %` : '–');
const ratioOf = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? a / b : NaN);

const setCookieNames = (res) => {
  const sc = res.headers['set-cookie'];
  return (Array.isArray(sc) ? sc : sc ? [sc] : []).map((l) => l.slice(0, l.indexOf('=')));
};

// --- the browser's side of the flow API ---------------------------------------------------------
let clientId;
const PASSWORD = `bench ${randomBytes(12).toString('base64url')} login`;
const WRONG_PASSWORD = `${PASSWORD.slice(0, -5)}logon`; // same length, never anyone's password

const { browser, flowPost, portalBrowser } = portalClient(httpClient, () => tessera.issuer);

/** GET /oauth2/authorize → 303 to the login page with a login challenge and its binding cookie. */
async function authorize(jar) {
  const step = 'GET /oauth2/authorize';
  const { verifier, challenge } = pkce();
  const state = randomBytes(12).toString('base64url');
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: FLOW_REDIRECT_URI,
    scope: 'openid',
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
  const res = await browser(jar, 'GET', `/oauth2/authorize?${query}`);
  const url = redirectOf(step, res, tessera.issuer);
  if (url.pathname !== '/login') stepFail(step, res, 'expected the login page (this browser must not be signed in to the token service)');
  const loginChallenge = url.searchParams.get('login_challenge');
  if (!loginChallenge) stepFail(step, res, 'no login_challenge');
  if (!setCookieNames(res).some((n) => n.startsWith('tessera_cv_'))) stepFail(step, res, 'no tessera_cv_… binding cookie');
  return { loginChallenge, state, verifier };
}

/**
 * Follows redirect_to once: the token service takes the accepted login (new OP session) and
 * sends the browser on to consent (no remembered consent for this client) or to the client.
 */
async function resume(jar, to, state) {
  const step = 'GET redirect_to';
  const res = await browser(jar, 'GET', to);
  const url = redirectOf(step, res, tessera.issuer);
  if (!setCookieNames(res).includes('tessera_session')) stepFail(step, res, 'no tessera_session (OP session) cookie');
  if (url.origin === tessera.issuer && url.pathname === '/consent' && url.searchParams.get('consent_challenge'))
    return { landed: 'consent', url };
  if (`${url.origin}${url.pathname}` === FLOW_REDIRECT_URI) {
    const p = url.searchParams;
    if (p.get('error')) stepFail(step, res, `authorization error ${p.get('error')}: ${p.get('error_description')}`);
    if (p.get('state') !== state) stepFail(step, res, 'state does not match');
    if (!p.get('code')) stepFail(step, res, 'no code');
    return { landed: 'code', url };
  }
  return stepFail(step, res, 'expected the consent page or the client with a code');
}

/** A password login in a fresh browser (only the portal's CSRF cookie), up to the token service's answer. */
async function passwordLogin(portal, email, remember) {
  const jar = portal.pick('tessera_csrf');
  const a = await authorize(jar);
  const step = 'POST /auth/login/password';
  const res = await flowPost(jar, '/auth/login/password', { login_challenge: a.loginChallenge, email, password: PASSWORD, remember });
  const to = redirectTo(step, res);
  if (!setCookieNames(res).includes('tessera_login')) stepFail(step, res, 'no tessera_login (login session) cookie');
  return { jar, a, ...(await resume(jar, to, a.state)) };
}

/** A re-authentication in a browser holding only `tessera_login` (and the portal's CSRF cookie). */
async function reauthenticate(signedIn) {
  const jar = signedIn.pick('tessera_login', 'tessera_csrf');
  const a = await authorize(jar);
  const to = redirectTo('POST /auth/login/continue', await flowPost(jar, '/auth/login/continue', { login_challenge: a.loginChallenge }));
  return { jar, a, ...(await resume(jar, to, a.state)) };
}

/**
 * Not measured: takes a login on to the client (consent for this authorization only, then the
 * token request) and checks the ID token names that user with `amr: pwd`. Returns its claims.
 */
async function completeAndCheck({ jar, a, landed, url }, user) {
  if (landed === 'consent') {
    const challenge = url.searchParams.get('consent_challenge');
    const view = await browser(jar, 'GET', `/auth/consent?consent_challenge=${encodeURIComponent(challenge)}`);
    if (view.status !== 200) stepFail('GET /auth/consent', view, 'expected 200');
    const scope = jsonOf('GET /auth/consent', view).requested_scope;
    const to = redirectTo(
      'POST /auth/consent/accept',
      await flowPost(jar, '/auth/consent/accept', { consent_challenge: challenge, grant_scope: scope, remember: false }),
    );
    const res = await browser(jar, 'GET', to);
    url = redirectOf('GET redirect_to after consent', res, tessera.issuer);
    if (`${url.origin}${url.pathname}` !== FLOW_REDIRECT_URI || url.searchParams.get('state') !== a.state)
      stepFail('GET redirect_to after consent', res, 'expected the client with a code');
  }
  const step = 'POST /oauth2/token';
  const res = await httpClient.request('POST', `${tessera.issuer}/oauth2/token`, {
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: url.searchParams.get('code') ?? '',
      redirect_uri: FLOW_REDIRECT_URI,
      client_id: clientId,
      code_verifier: a.verifier,
    }).toString(),
  });
  if (res.status !== 200) stepFail(step, res, 'expected 200');
  const claims = jwtPart(jsonOf(step, res).id_token, 1);
  if (claims.sub !== user.sub) stepFail(step, res, `the ID token's sub is ${claims.sub}, expected ${user.sub}`);
  if (!Array.isArray(claims.amr) || !claims.amr.includes('pwd')) stepFail(step, res, `amr is ${JSON.stringify(claims.amr)}`);
  return claims;
}

// --- users --------------------------------------------------------------------------------------
const runTag = Date.now().toString(36);
let userCount = 0;
/** Creates `n` users with PASSWORD through the internal API (each costs the server one argon2id hash). */
async function createUsers(kind, n) {
  const users = [];
  const one = async () => {
    const email = `${kind}-${runTag}-${String(++userCount).padStart(6, '0')}@bench.example`;
    const u = await tessera.internalPost('/internal/users', { email, password: PASSWORD, email_verified: true });
    if (!u.sub || u.email !== email) throw new Error(`internal POST /internal/users: unexpected answer ${JSON.stringify(u)}`);
    users.push({ sub: u.sub, email });
  };
  for (let i = 0; i < n; i += 4) await Promise.all(Array.from({ length: Math.min(4, n - i) }, one));
  return users;
}
let unknownCount = 0;
/** An account nobody has, as long as a created one (so the requests are the same size). */
const unknownEmail = () => `nobody-${runTag}-${String(++unknownCount).padStart(6, '0')}@bench.example`;

/** A client IP of its own for each failed attempt: 198.18.0.0/15 (RFC 2544 benchmarking). */
let ipCount = 0;
function nextIp() {
  const i = ipCount++;
  if (i >= 1 << 17) fail('ran out of X-Forwarded-For addresses in 198.18.0.0/15');
  return `198.${18 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;
}

// --- load ---------------------------------------------------------------------------------------
/**
 * Closed loop: `concurrency` loops, each after its `setup(i)` (not counted), repeat
 * `iteration(state)` (resolving to `{ kind, ms }` or nothing: then its whole duration counts).
 * `warmupS` unmeasured seconds, then the window; iterations that complete inside it are counted.
 * Any failure aborts the load and rejects.
 */
async function runLoad({ concurrency, setup, iteration, onWindowStart, onWindowEnd }) {
  let stopping = false;
  let error;
  let windowStart = Infinity;
  let windowEnd = Infinity;
  const samples = [];
  let before = 0;
  async function loop(i, ready) {
    const state = await setup(i);
    ready();
    while (!stopping) {
      const t = performance.now();
      const r = await iteration(state);
      const done = performance.now();
      if (done >= windowStart && done <= windowEnd) samples.push({ kind: r?.kind ?? 'all', ms: r?.ms ?? done - t });
      else if (done < windowStart) before++;
    }
  }
  const ready = [];
  const loops = Array.from({ length: concurrency }, (_, i) => {
    let signal;
    ready.push(new Promise((r) => (signal = r)));
    return loop(i, signal).catch((e) => {
      error ??= e;
      stopping = true;
    });
  });
  await Promise.race([Promise.all(ready), Promise.all(loops)]);
  await Promise.race([sleep(warmup * 1000), Promise.all(loops)]);
  let window;
  if (!stopping) {
    const b = onWindowStart();
    windowStart = performance.now();
    await Promise.race([sleep(duration * 1000), Promise.all(loops)]);
    windowEnd = performance.now();
    window = { seconds: (windowEnd - windowStart) / 1000, before: b, after: onWindowEnd() };
  }
  stopping = true;
  await Promise.all(loops);
  if (error) throw error;
  return { samples, warmupIterations: before, window };
}

const snapshot = () => ({
  cpu: cpuSeconds(tessera.pid),
  sched: schedstat(tessera.pid),
  self: process.cpuUsage(),
  selfSched: schedstat(process.pid),
  t: process.hrtime.bigint(),
});

/** Server CPU, run-queue wait and the load generator's own CPU over a load's window. */
function windowStats({ before, after }) {
  const wallNs = Number(after.t - before.t);
  const selfS = (after.self.user - before.self.user + after.self.system - before.self.system) / 1e6;
  return {
    cpuS: after.cpu - before.cpu,
    runqWait: before.sched && after.sched ? (after.sched.wait - before.sched.wait) / wallNs : NaN,
    loadGenCpuUtil: selfS / (wallNs / 1e9),
    loadGenRunqWait:
      before.selfSched && after.selfSched ? (after.selfSched.wait - before.selfSched.wait) / wallNs : NaN,
  };
}

function latencyStats(samples) {
  const ms = samples.map((s) => s.ms).sort((a, b) => a - b);
  return { n: ms.length, p50: pct(ms, 50), p90: pct(ms, 90), p99: pct(ms, 99), mean: mean(ms), max: ms.at(-1) ?? NaN };
}

// --- scenarios ----------------------------------------------------------------------------------

/** argon2id verify alone: a separate Node.js process on the server's CPU, one verify at a time. */
async function measureHash(round) {
  const code = `
const argon2 = require(${JSON.stringify(ARGON2_MODULE)});
const { readdirSync, readFileSync } = require('node:fs');
const params = ${JSON.stringify(ARGON2)};
// Run-queue wait of all this process's threads (only one is ever runnable: one verify at a time).
const wait = () => readdirSync('/proc/self/task').reduce((w, t) => {
  try { return w + Number(readFileSync('/proc/self/task/' + t + '/schedstat', 'utf8').split(' ')[1]); } catch { return w; }
}, 0);
(async () => {
  const password = ${JSON.stringify(PASSWORD)};
  const phc = await argon2.hash(password, { ...params, algorithm: argon2.Algorithm.Argon2id });
  const prefix = '$argon2id$v=19$m=' + params.memoryCost + ',t=' + params.timeCost + ',p=' + params.parallelism + '$';
  if (!phc.startsWith(prefix)) throw new Error('unexpected hash ' + phc);
  if (!(await argon2.verify(phc, password))) throw new Error('the right password does not verify');
  if (await argon2.verify(phc, ${JSON.stringify(WRONG_PASSWORD)})) throw new Error('a wrong password verifies');
  let end = performance.now() + ${warmup * 1000};
  while (performance.now() < end) await argon2.verify(phc, password);
  const cpu0 = process.cpuUsage(), w0 = wait(), t0 = performance.now();
  end = t0 + ${duration * 1000};
  const lat = [];
  while (performance.now() < end) {
    const t = performance.now();
    if (!(await argon2.verify(phc, password))) throw new Error('verify failed');
    lat.push(performance.now() - t);
  }
  const seconds = (performance.now() - t0) / 1000, cpu = process.cpuUsage(cpu0), waitS = (wait() - w0) / 1e9;
  lat.sort((a, b) => a - b);
  process.stdout.write('RESULT ' + JSON.stringify({ phcPrefix: prefix, verifies: lat.length, seconds, cpuS: (cpu.user + cpu.system) / 1e6, waitS, p50: lat[Math.ceil(lat.length / 2) - 1] }) + '\\n');
})().catch((e) => { console.error(e); process.exit(1); });
`;
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', UV_THREADPOOL_SIZE: '1' };
  const proc = start([process.execPath, '-e', code], { env, cpu: SERVER_CPU, useTaskset });
  proc.child.stopping.value = true; // it exits by itself when done
  const timer = setTimeout(() => stop(proc.child, 1000), (warmup + duration + 60) * 1000);
  const status = await new Promise((resolve) => {
    if (proc.child.exitCode !== null) resolve(proc.child.exitCode);
    else proc.child.once('exit', (code, signal) => resolve(code ?? signal));
  });
  clearTimeout(timer);
  const line = proc.output().split('\n').find((l) => l.startsWith('RESULT '));
  if (status !== 0 || !line) throw new Error(`round ${round} hash: the hash process failed (${status}):\n${proc.output().slice(-2000)}`);
  const r = JSON.parse(line.slice(7));
  return {
    round,
    scenario: 'hash',
    phcPrefix: r.phcPrefix,
    count: r.verifies,
    seconds: r.seconds,
    perS: r.verifies / r.seconds,
    cpuS: r.cpuS,
    perCpuS: r.verifies / r.cpuS,
    p50: r.p50,
    runqWait: r.waitS / r.seconds,
  };
}

let loginUsers; // users for password logins and re-authentication sessions
let checkUser; // the user of the unmeasured check flows
let hashPerCpuS = NaN; // median so far, for sizing the failed-login account pool
const spareAccounts = []; // existing accounts no wrong password has named yet

async function measureLogins(scenario, round) {
  // The check (not measured): a whole flow on to the token, for a user of its own.
  const portal = await portalBrowser();
  const first = await passwordLogin(portal, checkUser.email, true);
  const checked = await completeAndCheck(first, checkUser);
  if (scenario === 'reauth') {
    const again = await completeAndCheck(await reauthenticate(first.jar), checkUser);
    if (again.auth_time !== checked.auth_time)
      throw new Error(`re-authentication: auth_time ${again.auth_time}, expected the session's ${checked.auth_time}`);
  }

  let next = 0;
  const landed = { consent: 0, code: 0 };
  const res = await runLoad({
    concurrency,
    setup: async (i) => {
      const portalJar = await portalBrowser();
      if (scenario === 'password') return { portalJar };
      // reauth: this loop's browser signs in once with a password (not counted).
      const signIn = await passwordLogin(portalJar, loginUsers[i % loginUsers.length].email, true);
      return { signedIn: signIn.jar.pick('tessera_login', 'tessera_csrf') };
    },
    iteration: async (state) => {
      let r;
      if (scenario === 'password') {
        r = await passwordLogin(state.portalJar, loginUsers[next++ % loginUsers.length].email, false);
      } else {
        r = await reauthenticate(state.signedIn);
        state.signedIn = r.jar.pick('tessera_login', 'tessera_csrf');
      }
      landed[r.landed]++;
    },
    onWindowStart: snapshot,
    onWindowEnd: snapshot,
  });
  const lat = latencyStats(res.samples);
  const w = windowStats(res.window);
  return {
    round,
    scenario,
    count: lat.n,
    seconds: res.window.seconds,
    perS: lat.n / res.window.seconds,
    cpuS: w.cpuS,
    perCpuS: lat.n / w.cpuS,
    p50: lat.p50,
    p90: lat.p90,
    p99: lat.p99,
    runqWait: w.runqWait,
    loadGenCpuUtil: w.loadGenCpuUtil,
    loadGenRunqWait: w.loadGenRunqWait,
    landed,
  };
}

async function measureFailed(round) {
  // Each existing account takes at most 3 wrong passwords (its free failures): enough accounts
  // for the most attempts one core could answer in the run, half of them on existing accounts.
  const rate = Number.isFinite(hashPerCpuS) ? hashPerCpuS : 60;
  const need = Math.ceil(((warmup + duration + 3) * rate * 1.25) / 2 / 3) + failedConcurrency;
  const accounts = spareAccounts.splice(0);
  if (accounts.length < need) {
    log(`round ${round} failed: creating ${need - accounts.length} accounts for wrong-password attempts (not measured)`);
    accounts.push(...(await createUsers('exists', need - accounts.length)));
  }
  let knownUses = 0;
  let attempts = 0;
  const answers = { known: new Map(), unknown: new Map() };
  const answerKey = (res) =>
    `HTTP ${res.status} ${res.text} | headers: ${Object.keys(res.headers)
      .filter((h) => !['date', 'content-length', 'x-request-id'].includes(h))
      .sort()
      .join(', ')}`;

  const res = await runLoad({
    concurrency: failedConcurrency,
    setup: async () => ({ jar: await portalBrowser(), challenge: undefined, uses: 0 }),
    iteration: async (state) => {
      // A login page serves several attempts, as a person retyping would (the challenge stays pending).
      if (!state.challenge || state.uses >= 25) {
        state.challenge = (await authorize(state.jar)).loginChallenge;
        state.uses = 0;
      }
      state.uses++;
      const kind = attempts++ % 2 === 0 ? 'known' : 'unknown';
      let email;
      if (kind === 'known') {
        const account = accounts[Math.floor(knownUses++ / 3)];
        if (!account) fail(`round ${round} failed: the ${accounts.length} accounts for wrong passwords are used up; lower --duration`);
        email = account.email;
      } else {
        email = unknownEmail();
      }
      const body = { login_challenge: state.challenge, email, password: WRONG_PASSWORD, remember: false };
      const headers = { 'x-forwarded-for': nextIp() };
      const t = performance.now();
      const r = await flowPost(state.jar, '/auth/login/password', body, headers);
      const ms = performance.now() - t;
      const step = `POST /auth/login/password (${kind === 'known' ? 'existing account, wrong password' : 'unknown account'})`;
      if (r.status === 429)
        stepFail(step, r, 'throttled: is TESSERA_TRUSTED_PROXIES=127.0.0.1 honoured (X-Forwarded-For), and each account used ≤ 3 times?');
      if (r.status !== 401 || jsonOf(step, r).error !== 'invalid_credentials') stepFail(step, r, 'expected 401 invalid_credentials');
      const key = answerKey(r);
      answers[kind].set(key, (answers[kind].get(key) ?? 0) + 1);
      return { kind, ms };
    },
    onWindowStart: snapshot,
    onWindowEnd: snapshot,
  });
  // Accounts no attempt named are as good as new for the next round.
  spareAccounts.push(...accounts.slice(Math.ceil(knownUses / 3)));
  const known = latencyStats(res.samples.filter((s) => s.kind === 'known'));
  const unknown = latencyStats(res.samples.filter((s) => s.kind === 'unknown'));
  const w = windowStats(res.window);
  const n = known.n + unknown.n;
  const distinct = new Set([...answers.known.keys(), ...answers.unknown.keys()]);
  return {
    round,
    scenario: 'failed',
    count: n,
    seconds: res.window.seconds,
    perS: n / res.window.seconds,
    cpuS: w.cpuS,
    perCpuS: n / w.cpuS,
    runqWait: w.runqWait,
    loadGenCpuUtil: w.loadGenCpuUtil,
    loadGenRunqWait: w.loadGenRunqWait,
    known,
    unknown,
    ratioP50: ratioOf(known.p50, unknown.p50),
    ratioP90: ratioOf(known.p90, unknown.p90),
    sameAnswer: distinct.size === 1,
    answers: { known: Object.fromEntries(answers.known), unknown: Object.fromEntries(answers.unknown) },
    accounts: accounts.length,
    accountsUsed: Math.ceil(knownUses / 3),
  };
}

function describe(run) {
  const what = `round ${run.round} ${run.scenario}`.padEnd(18);
  if (run.scenario === 'hash')
    return `${what} ${fmt(run.perS, 1)} verifies/s  ${fmt(run.perCpuS, 1)} verifies/CPU-s  p50 ${fmt(run.p50, 1)} ms  run-queue wait ${pctFmt(run.runqWait)}`;
  const common = `CPU ${fmt(run.cpuS, 2)} s  run-queue wait ${pctFmt(run.runqWait)}  load-gen CPU ${pctFmt(run.loadGenCpuUtil)}`;
  if (run.scenario === 'failed')
    return (
      `${what} existing: p50 ${fmt(run.known.p50, 1)} / p90 ${fmt(run.known.p90, 1)} ms (${run.known.n})  ` +
      `unknown: p50 ${fmt(run.unknown.p50, 1)} / p90 ${fmt(run.unknown.p90, 1)} ms (${run.unknown.n})  ` +
      `ratio p50 ${fmt(run.ratioP50, 3)}  same answer: ${run.sameAnswer ? 'yes' : 'NO'}  ${fmt(run.perS, 1)} attempts/s  ${fmt(run.perCpuS, 1)}/CPU-s  ${common}`
    );
  return `${what} ${fmt(run.perS, 1)}/s  ${fmt(run.perCpuS, 1)}/CPU-s  p50 ${fmt(run.p50, 1)} ms  p99 ${fmt(run.p99, 1)} ms  ${common}  (redirect_to → ${run.landed.consent} consent, ${run.landed.code} code)`;
}

// --- main ---------------------------------------------------------------------------------------
const runs = [];
await guard.run(async () => {
  tessera = await startTessera({
    cpu: SERVER_CPU,
    useTaskset,
    claimsServer: false,
    env: { TESSERA_TRUSTED_PROXIES: '127.0.0.1' },
  });
  log(`started Tessera (pid ${tessera.pid}) with its authentication service, TESSERA_TRUSTED_PROXIES=127.0.0.1`);
  const client = await tessera.internalPost('/internal/clients', {
    client_name: 'Login bench',
    redirect_uris: [FLOW_REDIRECT_URI],
    grant_types: ['authorization_code'],
    token_endpoint_auth_method: 'none',
    allowed_scopes: ['openid'],
  });
  if (!client.client_id) throw new Error(`internal POST /internal/clients: ${JSON.stringify(client)}`);
  clientId = client.client_id;
  if (has('password') || has('reauth')) {
    [checkUser] = await createUsers('check', 1);
    loginUsers = await createUsers('user', Math.max(concurrency, 4) * 2);
    log(`created ${loginUsers.length + 1} users for password logins and login sessions`);
  }

  log(
    `${rounds} round(s) × ${scenarios.length} scenario(s), ${warmup} s warm-up + ${duration} s each; ` +
      `${concurrency} concurrent browsers (password, reauth), ${failedConcurrency} (failed); argon2id m=${ARGON2.memoryCost} t=${ARGON2.timeCost} p=${ARGON2.parallelism}`,
  );
  for (let round = 1; round <= rounds; round++) {
    for (const s of scenarios) {
      if (exitedUnexpectedly.length) fail(`a process exited during the benchmark: ${JSON.stringify(exitedUnexpectedly)}`);
      let run;
      try {
        if (s.id === 'hash') run = await measureHash(round);
        else if (s.id === 'failed') run = await measureFailed(round);
        else run = await measureLogins(s.id, round);
      } catch (e) {
        console.error(`--- last output of Tessera ---\n${tessera.output().slice(-4000)}`);
        throw new Error(`round ${round} ${s.id}: ${e.message}`, { cause: e });
      }
      runs.push(run);
      if (s.id === 'hash') hashPerCpuS = median(runs.filter((r) => r.scenario === 'hash').map((r) => r.perCpuS));
      log(describe(run));
    }
  }

  const summary = summarize(runs);
  const tables = {
    results: resultsTable(summary),
    failed: failedTable(summary),
    runs: perRunTable(runs),
  };
  const machine = record.finish(
    { argon2: argon2Version, argon2Params: ARGON2 },
    { log, rebuilt: (built) => `the results are for the build of ${built}` },
  );

  console.log(`\n## Medians of ${rounds} round(s)\n\n${tables.results}\n`);
  if (tables.failed) console.log(`## Failed logins\n\n${tables.failed}\n`);

  writeRawResults({
    path: opts.json,
    name: 'tessera-bench-logins',
    startedAt,
    data: { command, startedAt, machine, duration, warmup, rounds, concurrency, failedConcurrency, runs, summary },
    log,
  });

  if (writeDocs) {
    const docsFile = opts['docs-file'] ?? join(ROOT, 'docs/benchmarks.md');
    writeDoc(docsFile, docSection({ tables, summary, machine }), '# Benchmarks', LOGIN_MARKERS);
    log(`wrote the logins section of ${docsFile}`);
  }
});

// --- summary and tables -------------------------------------------------------------------------
function summarize(runs) {
  const of = (id) => runs.filter((r) => r.scenario === id);
  const m = (rs, f) => median(rs.map(f));
  const out = {};
  for (const id of ['hash', 'password', 'reauth', 'failed']) {
    const rs = of(id);
    if (!rs.length) continue;
    out[id] = {
      runs: rs.length,
      perS: m(rs, (r) => r.perS),
      perCpuS: m(rs, (r) => r.perCpuS),
      cpuUtil: m(rs, (r) => r.cpuS / r.seconds),
      runqWait: m(rs, (r) => r.runqWait),
      p50: m(rs, (r) => r.p50),
      p90: m(rs, (r) => r.p90),
      p99: m(rs, (r) => r.p99),
      loadGenCpu: m(rs, (r) => r.loadGenCpuUtil),
    };
  }
  if (out.failed) {
    const rs = of('failed');
    for (const kind of ['known', 'unknown'])
      out.failed[kind] = {
        n: rs.reduce((a, r) => a + r[kind].n, 0),
        p50: m(rs, (r) => r[kind].p50),
        p90: m(rs, (r) => r[kind].p90),
        mean: m(rs, (r) => r[kind].mean),
      };
    out.failed.ratioP50 = ratioOf(out.failed.known.p50, out.failed.unknown.p50);
    out.failed.ratioP90 = ratioOf(out.failed.known.p90, out.failed.unknown.p90);
    out.failed.sameAnswer = rs.every((r) => r.sameAnswer);
    out.failed.answers = rs.at(-1).answers;
  }
  // How close a login comes to its hash: 1.0 would mean the argon2id verify is all it costs.
  if (out.hash) {
    for (const id of ['password', 'reauth', 'failed']) {
      if (!out[id]) continue;
      out[id].perCpuSOverHash = ratioOf(out[id].perCpuS, out.hash.perCpuS);
      out[id].perSOverHash = ratioOf(out[id].perS, out.hash.perS);
    }
  }
  return out;
}

function resultsTable(s) {
  const out = [
    '| Measurement | per second | per CPU-second | ÷ argon2id verify (per CPU-s / per s) ¹ | CPU-ms each | p50 ms | p99 ms | CPU use ² | run-queue wait ² | load generator CPU ³ |',
    '|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
  ];
  const x = (v) => (Number.isFinite(v) ? `${fmt(v, 2)}×` : '–');
  const rows = [
    ['hash', 'argon2id verify alone (`@node-rs/argon2`, one at a time, one thread)'],
    ['password', `password login (${concurrency} browsers)`],
    ['reauth', `re-authentication with the login session (${concurrency} browsers)`],
  ];
  for (const [id, label] of rows) {
    const r = s[id];
    if (!r) continue;
    const vsHash = id === 'hash' ? '1' : `${x(r.perCpuSOverHash)} / ${x(r.perSOverHash)}`;
    out.push(
      `| ${label} | ${fmt(r.perS, 1)} | ${fmt(r.perCpuS, 1)} | ${vsHash} | ${fmt(1000 / r.perCpuS, 2)} | ${fmt(r.p50, 1)} | ${id === 'hash' ? '–' : fmt(r.p99, 1)} | ${fmt(r.cpuUtil * 100)} % | ${pctFmt(r.runqWait)} | ${id === 'hash' ? '–' : pctFmt(r.loadGenCpu)} |`,
    );
  }
  return out.join('\n');
}

function failedTable(s) {
  const f = s.failed;
  if (!f) return '';
  const out = [
    `| Failed password login (${failedConcurrency} browser${failedConcurrency > 1 ? 's' : ''}, alternating) | attempts measured (all rounds) | p50 ms | p90 ms | mean ms |`,
    '|---|--:|--:|--:|--:|',
    `| existing account, wrong password | ${f.known.n} | ${fmt(f.known.p50, 2)} | ${fmt(f.known.p90, 2)} | ${fmt(f.known.mean, 2)} |`,
    `| unknown account | ${f.unknown.n} | ${fmt(f.unknown.p50, 2)} | ${fmt(f.unknown.p90, 2)} | ${fmt(f.unknown.mean, 2)} |`,
    `| **existing ÷ unknown** | | **${fmt(f.ratioP50, 3)}** | **${fmt(f.ratioP90, 3)}** | ${fmt(ratioOf(f.known.mean, f.unknown.mean), 3)} |`,
  ];
  return out.join('\n');
}

function perRunTable(runs) {
  const out = [
    '| Round | Scenario | count | per s | per CPU-s | p50 ms | p90 ms | p99 ms | CPU-s | run-queue wait | load generator CPU | notes |',
    '|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|',
  ];
  for (const r of runs) {
    let notes = '';
    let lat = [r.p50, r.p90, r.p99];
    if (r.scenario === 'failed') {
      lat = [NaN, NaN, NaN];
      notes = `existing p50/p90 ${fmt(r.known.p50, 2)}/${fmt(r.known.p90, 2)} ms (${r.known.n}), unknown ${fmt(r.unknown.p50, 2)}/${fmt(r.unknown.p90, 2)} ms (${r.unknown.n}), ratio ${fmt(r.ratioP50, 3)}/${fmt(r.ratioP90, 3)}; same answer: ${r.sameAnswer ? 'yes' : '**no**'}`;
    } else if (r.landed) {
      notes = `redirect_to → consent ${r.landed.consent}, code ${r.landed.code}`;
    }
    out.push(
      `| ${r.round} | ${r.scenario} | ${r.count} | ${fmt(r.perS, 1)} | ${fmt(r.perCpuS, 1)} | ${fmt(lat[0], 1)} | ${fmt(lat[1], 1)} | ${fmt(lat[2], 1)} | ${fmt(r.cpuS, 2)} | ${pctFmt(r.runqWait)} | ${r.scenario === 'hash' ? '–' : pctFmt(r.loadGenCpuUtil)} | ${notes} |`,
    );
  }
  return out.join('\n');
}

// --- docs ---------------------------------------------------------------------------------------
/** Where a password login's CPU goes, from the medians: the hash and everything else. */
function costLine(s) {
  if (!s.hash || !s.password) return '';
  const login = 1000 / s.password.perCpuS;
  const hash = 1000 / s.hash.perCpuS;
  const rest = s.reauth ? ` A re-authentication with the login session (no hash) costs ${fmt(1000 / s.reauth.perCpuS, 2)} CPU-ms.` : '';
  return `A password login costs **${fmt(login, 2)} CPU-ms** of the server, of which the argon2id verify alone is ${fmt(hash, 2)} CPU-ms (${fmt((hash / login) * 100)} %).${rest}`;
}

function docSection({ tables, summary, machine }) {
  const f = summary.failed;
  const answer = f ? Object.keys(f.answers.known)[0]?.replace(/ \| headers: .*$/, '') : undefined;
  return `
### Latest run

- **Command:** \`${command}\` (from the repository root)
- **Date:** ${startedAt.toISOString().replace('T', ' ').slice(0, 16)} UTC, Tessera at ${machine.git}, \`dist/apps/platform/main.js\` built ${machine.tesseraBuild} UTC${machine.rebuiltDuringRun ? ' (**rebuilt during the run**; the server ran this build)' : ''}
- **Machine:** ${machine.nproc} CPUs (\`nproc\`), ${machine.cpuModel}, Linux ${machine.kernel}, Node.js ${machine.node}${machine.pinned ? '' : ' — **not pinned** (taskset missing or 1 CPU)'}
- **Hashing:** \`@node-rs/argon2\` ${machine.argon2}, argon2id m=${machine.argon2Params.memoryCost} KiB, t=${machine.argon2Params.timeCost}, p=${machine.argon2Params.parallelism} (read from \`${HASHER_SOURCE}\`)
- **Machine load:** load average ${machine.loadavg.start} at the start, ${machine.loadavg.end} at the end (1/5/15 min; this benchmark alone accounts for about 1–2)
${speedLine(machine)}
- **Load:** ${concurrency} concurrent browsers for password logins and re-authentications, ${failedConcurrency} for failed logins (closed loop), ${warmup} s warm-up (not counted) then ${duration} s measured, ${rounds} round(s), scenarios interleaved (round → scenario), never concurrent

#### Logins per second and per CPU-second (medians)

${tables.results}

¹ The login's rate ÷ the argon2id verify's rate: per CPU-second, how close a login comes to the
cost of its hash alone (1× would mean the hash is all it costs), and per second (wall clock).
² CPU use: the server's CPU-seconds ÷ wall seconds over the window (for the hash, the hashing
process's). Run-queue wait: share of the window the server's main thread (for the hash, the
hashing process's threads) was runnable but waiting for its CPU because other processes were
using it; where it is high, the per-second rates and latencies describe the machine more than
Tessera, and the per-CPU-second rates are the ones to read.
³ CPU use of the load generator (the browsers, one Node.js process on CPU 1); near 100 % would
mean it, not the server, limited the rate.

${costLine(summary)}

#### Failed logins: existing vs unknown accounts (medians)
${
  f
    ? `
${tables.failed}

Same answer for both kinds in every attempt: ${f.sameAnswer ? `**yes** — \`${answer}\`` : '**no** (see the raw JSON)'}.
Failed attempts: ${fmt(f.perS, 1)}/s, ${fmt(f.perCpuS, 1)} per CPU-second (${Number.isFinite(f.perCpuSOverHash) ? `${fmt(f.perCpuSOverHash, 2)}×` : '–'} the argon2id verify's rate: each one, unknown accounts included, pays for a hash).`
    : '\nNot measured in this run.'
}

<details><summary>All runs</summary>

${tables.runs}

</details>
`;
}
