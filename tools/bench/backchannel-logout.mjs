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
import { randomBytes } from 'node:crypto';
import http from 'node:http';
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
import { FLOW_REDIRECT_URI } from './peers.mjs';
import { latestRunLines, parseDriverArgs, platformBench, runRounds } from './platform-runner.mjs';
import { ignore, sleep } from './proc.mjs';
import { fmt, writeDoc, writeRawResults } from './report.mjs';
import { stats } from './stats.mjs';

export const BACKCHANNEL_MARKERS = {
  start: '<!-- bench:backchannel:start -->',
  end: '<!-- bench:backchannel:end -->',
};

const {
  n: { rounds: ROUNDS, clients: CLIENTS, warmup: WARMUP },
  opts,
  drivers,
  writeDocs,
  docsFile,
  command,
  log,
} = parseDriverArgs({
  script: 'tools/bench/backchannel-logout.mjs',
  tag: 'backchannel',
  ints: { rounds: [200, 1, 10_000], clients: [10, 1, 100], warmup: [5, 0, 1000] },
  optionsHelp: `  --rounds <n>        measured logouts per queue driver (default 200)
  --clients <n>       clients signed in to the session, each with a backchannel_logout_uri (default 10)
  --warmup <n>        unmeasured rounds before the measured ones, per driver (default 5)`,
  driversDefault: '(default both)',
  section: 'back-channel',
});

/** How long one round's deliveries may take before the run fails (the first retry comes after 2 s). */
const ROUND_TIMEOUT_MS = 30_000;
/** After the last round: how long to wait for late or duplicate deliveries before counting. */
const SETTLE_MS = 2_000;
const SIGNED_OUT = 'http://127.0.0.1:9/signed-out'; // the post_logout_redirect_uri; never contacted
const BACKCHANNEL_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
const PASSWORD = `bench ${randomBytes(12).toString('base64url')} logout`;

// --- set-up and cleanup: every process this script started, and nothing else ------------------
let listener;
const httpClient = createHttp({ maxSockets: 8 });
const { record, platform, guard } = platformBench({
  tag: 'backchannel',
  log,
  bench: 'this script (browser + listener)',
  // Per driver: start-up and set-up (≤ 90 s) plus, per round, a sign-in to every client and the
  // deliveries (about 25 ms per client on this machine; budgeted at 200 ms per client + 2 s).
  budgetMs: drivers.length * (90 + (ROUNDS + WARMUP) * (2 + 0.2 * CLIENTS)) * 1000,
  stopFirst: () => httpClient.close(),
  stopLast: () => listener?.close().catch(ignore),
});

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

// --- the browser ------------------------------------------------------------------------------
const { browser, flowPost, portalBrowser } = portalClient(httpClient, () => platform.tessera.issuer);

/**
 * A code for `client` in this browser, exchanged for tokens: the password login when the token
 * service asks for one (only when `login` — every other client must get SSO), consent when asked
 * (remembered, so only in a driver's first round). Returns the ID token and its claims.
 */
async function signInTo(jar, client, user, { login, counts }) {
  const { issuer } = platform.tessera;
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
  let url = redirectOf(step, res, issuer);
  for (let hops = 0; ; hops++) {
    if (hops > 3) stepFail(step, res, 'too many steps before the code');
    if (`${url.origin}${url.pathname}` === FLOW_REDIRECT_URI) break;
    if (url.origin === issuer && url.pathname === '/login') {
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
      url = redirectOf(step, res, issuer);
      if (!jar.get('tessera_session')) stepFail(step, res, 'no tessera_session (OP session) cookie');
      continue;
    }
    if (url.origin === issuer && url.pathname === '/consent') {
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
      url = redirectOf(step, res, issuer);
      continue;
    }
    stepFail(step, res, 'expected the login page, the consent page or the client with a code');
  }
  const p = url.searchParams;
  if (p.get('error'))
    stepFail(step, res, `authorization error ${p.get('error')}: ${p.get('error_description')}`);
  if (p.get('state') !== state) stepFail(step, res, 'state does not match');
  if (p.has('iss') && p.get('iss') !== issuer) stepFail(step, res, `iss is ${p.get('iss')}`);
  if (!p.get('code')) stepFail(step, res, 'no code');

  step = `client ${client.index} POST /oauth2/token`;
  res = await httpClient.request('POST', `${issuer}/oauth2/token`, {
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
  if (d.claims.iss !== platform.tessera.issuer) return problem(`iss ${d.claims.iss}`);
  if (d.claims.sub !== undefined && d.claims.sub !== r.sub) return problem(`sub ${d.claims.sub}`);
  if (!d.claims.events || typeof d.claims.events[BACKCHANNEL_EVENT] !== 'object')
    return problem('no back-channel logout event');
  if ('nonce' in d.claims) return problem('has a nonce');
  r.received.set(d.client, d.t);
  if (r.received.size === r.expected.size) r.done();
}

/** One driver on the platform just started (by platform.measureEach); returns its result. */
async function measureDriver(driver, { tessera, redis }) {
  let redisStats;
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
  const total = WARMUP + ROUNDS;
  const { runqWait, measuredSeconds } = await runRounds({
    warmup: WARMUP,
    rounds: ROUNDS,
    pid: tessera.pid,
    async measureRound({ k, warm, label }) {
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
      const back = redirectOf(step, res, tessera.issuer);
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
    },
  });
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
    ...platform.describe(driver),
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
    runqWait,
    measuredSeconds,
    redis: redisStats,
    perRound: rounds,
  };
  listener.bad.length = 0;
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
await guard.run(async () => {
  listener = await startListener(onDelivery);
  log(
    `${drivers.length} driver(s) × (${WARMUP} warm-up + ${ROUNDS} measured) rounds, ${CLIENTS} clients signed in per round`,
  );
  const results = await platform.measureEach(drivers, {
    env: { TESSERA_OUTBOUND_ALLOW_PRIVATE: 'true' },
    measure: measureDriver,
    summary: (r) =>
      `${r.driver}: logout → last of ${CLIENTS} deliveries p50 ${fmt(r.last.p50, 1)} ms, p99 ${fmt(r.last.p99, 1)} ms; ` +
      `${r.deliveriesMeasured}/${r.expectedMeasured} deliveries; ${fmt(r.wallSeconds)} s`,
    problems: check,
    what: 'deliveries',
  });

  const machine = record.finish({}, { log, rebuilt: (built) => `the first driver ran the build of ${built}` });
  const table = resultsTable(results);
  console.log(
    `\n## Back-channel logout: logout request → last of ${CLIENTS} logout tokens received\n\n${table}\n\n${detailTable(results)}\n`,
  );

  const { startedAt } = record;
  writeRawResults({
    path: opts.json,
    name: 'tessera-bench-backchannel',
    startedAt,
    data: { command, startedAt, machine, rounds: ROUNDS, clients: CLIENTS, warmup: WARMUP, results },
    log,
  });
  if (writeDocs) {
    writeDoc(docsFile, docSection({ table, results, machine }), '# Benchmarks', BACKCHANNEL_MARKERS);
    log(`wrote the back-channel logout section of ${docsFile}`);
  }
});

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

${latestRunLines({
  command,
  startedAt: record.startedAt,
  machine,
  load: `${ROUNDS} logouts per driver after ${WARMUP} warm-up logouts (not counted), ${CLIENTS} clients signed in per logout, one at a time`,
  results: rs,
})}

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
