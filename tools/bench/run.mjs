#!/usr/bin/env node
// Tessera vs npm's oidc-provider: client_credentials issuance (reference token, JWT ES256,
// JWT RS256), introspection of a reference token and UserInfo with a user's access token,
// measured with autocannon.
//
//   npm run bench                       # 10 s runs, 3 rounds, writes docs/benchmarks.md
//   npm run bench -- --quick            # 3 s runs, 1 round, prints only (smoke check)
//   node tools/bench/run.mjs --help
//
// Each server runs alone on CPU 0 (taskset); this script and autocannon run on CPU 1. Runs are
// interleaved, never concurrent: for each round, for each scenario, for each server. See
// tools/bench/README.md for what is measured.
import { join } from 'node:path';
import { fail, parseBenchArgs } from './cli.mjs';
import autocannon from 'autocannon';
import { machineRecord, packageVersion, redisVersion, speedLine } from './machine.mjs';
import { ROOT, SCENARIOS, startOidcProvider, startRedis, startTessera } from './peers.mjs';
import {
  cpuSeconds,
  exitedUnexpectedly,
  guardRun,
  hasCommand,
  ignore,
  pinBenchProcess,
  schedstat,
  SERVER_CPU,
  stopStarted,
} from './proc.mjs';
import { perRunTable, ratioTable, resultsTable, summarize, writeDoc, writeRawResults } from './report.mjs';

const HELP = `Usage: node tools/bench/run.mjs [options]

  --duration <s>      measured seconds per run (default 10; 3 with --quick)
  --warmup <s>        unmeasured warm-up seconds before each run (default 2)
  --rounds <n>        rounds; the table shows the median (default 3; 1 with --quick)
  --connections <n>   autocannon connections (default 50)
  --quick             smoke check: 3 s, 1 round, does not write docs/benchmarks.md
  --peers <list>      comma list of tessera, oidc-provider-memory, oidc-provider-redis (default all)
  --scenarios <list>  comma list of ${SCENARIOS.map((s) => s.id).join(', ')} (default all)
  --docs / --no-docs  write docs/benchmarks.md (default: on, off with --quick)
  --json <path>       where to write the raw results (default: a file in the temp dir)
`;

const { opts, duration, warmup, rounds, load: connections, writeDocs, peerIds, scenarios, command, log } = parseBenchArgs({
  script: 'tools/bench/run.mjs',
  help: HELP,
  tag: 'bench',
  load: { name: 'connections', default: 50 },
  scenarios: SCENARIOS,
});

// --- machine ----------------------------------------------------------------------------------
const useTaskset = pinBenchProcess({
  log,
  server: 'servers',
  bench: 'this script and autocannon',
  unpinned: 'servers and load generator are NOT pinned',
});
const record = machineRecord({ pinned: useTaskset, build: false });
const { startedAt } = record;

// --- cleanup: every process this script started, and nothing else -----------------------------
let redis;
const peers = [];
const perRunSeconds = warmup + duration + 3;
const guard = guardRun({
  tag: 'bench',
  log,
  budgetMs: (rounds * scenarios.length * peerIds.length * perRunSeconds + 180) * 1000,
  async stopAll() {
    for (const p of peers) await p.stop().catch(ignore);
    await stopStarted();
    redis?.stop();
  },
});

// --- measurement ------------------------------------------------------------------------------
const FORM = 'application/x-www-form-urlencoded';

/** The request's method and headers: a form POST, or (userinfo) a GET with only the bearer token. */
const methodOf = (req) => req.method ?? 'POST';
const headersOf = (req) =>
  req.body === undefined
    ? { authorization: req.authorization }
    : { authorization: req.authorization, 'content-type': FORM };

function cannon(req, seconds) {
  return autocannon({
    url: req.url,
    method: methodOf(req),
    headers: headersOf(req),
    body: req.body,
    connections,
    pipelining: 1,
    duration: seconds,
    timeout: 10,
  });
}

function checkClean(res, what) {
  const bad = res.non2xx + res.errors + res.timeouts;
  if (bad > 0) {
    const codes = Object.entries(res.statusCodeStats ?? {})
      .map(([c, v]) => `${c}×${v.count}`)
      .join(', ');
    fail(
      `${what}: ${res.non2xx} non-2xx, ${res.errors} errors, ${res.timeouts} timeouts (status codes: ${codes})`,
    );
  }
}

function cpuOf(peer) {
  const node = cpuSeconds(peer.pid);
  const extra = peer.extraCpuPids.reduce((a, pid) => a + cpuSeconds(pid), 0);
  return { node, extra };
}

async function measure(peer, scenario, round) {
  try {
    return await measureOnce(peer, scenario, round);
  } catch (e) {
    if (!e.outputShown) console.error(`--- last output of ${peer.id} ---\n${peer.output().slice(-4000)}`);
    throw e;
  }
}

async function measureOnce(peer, scenario, round) {
  const what = `round ${round} ${scenario.id} ${peer.id}`;
  if (exitedUnexpectedly.length)
    fail(`a server exited during the benchmark: ${JSON.stringify(exitedUnexpectedly)}`);
  const req = await peer.request(scenario.id);
  // The first response must be a real token (or an active introspection answer, or the user's
  // claims from UserInfo).
  const first = await fetch(req.url, { method: methodOf(req), headers: headersOf(req), body: req.body });
  const text = await first.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  peer.verify(scenario.id, { status: first.status, body });

  if (warmup > 0) checkClean(await cannon(req, warmup), `${what} (warm-up)`);

  const claims0 = peer.claimsCalls?.();
  const before = cpuOf(peer);
  const sched0 = schedstat(peer.pid);
  const t0 = process.hrtime.bigint();
  const res = await cannon(req, duration);
  const wallNs = Number(process.hrtime.bigint() - t0);
  const sched1 = schedstat(peer.pid);
  const after = cpuOf(peer);
  const claimsCalls = claims0 === undefined ? undefined : peer.claimsCalls() - claims0;
  try {
    checkClean(res, what);
  } catch (e) {
    console.error(`--- last output of ${peer.id} ---\n${peer.output().slice(-4000)}`);
    e.outputShown = true;
    throw e;
  }
  const cpuSNode = after.node - before.node;
  const cpuSExtra = after.extra - before.extra;
  const cpuS = cpuSNode + cpuSExtra;
  const ok = res['2xx'];
  const run = {
    round,
    scenario: scenario.id,
    peer: peer.id,
    seconds: res.duration,
    requests: ok,
    rps: ok / res.duration,
    p50: res.latency.p50,
    p90: res.latency.p90,
    p99: res.latency.p99,
    max: res.latency.max,
    non2xx: res.non2xx,
    cpuSNode,
    cpuSExtra,
    cpuS,
    reqPerCpuS: ok / cpuS,
    reqPerCpuSNodeOnly: ok / cpuSNode,
    // Share of the run the server's main thread was runnable but waiting for the CPU (other
    // processes on its core): high values mean req/s and latency say more about the machine.
    runqWait: sched0 && sched1 ? (sched1.wait - sched0.wait) / wallNs : NaN,
    // Tessera: calls to the user directory (the claims server) during the measured run.
    ...(claimsCalls === undefined ? {} : { claimsCalls }),
  };
  log(
    `${what.padEnd(52)} ${run.rps.toFixed(0).padStart(6)} req/s  p50 ${run.p50.toFixed(1).padStart(5)} ms  p99 ${run.p99.toFixed(1).padStart(6)} ms  ` +
      `CPU ${cpuS.toFixed(2)} s${cpuSExtra ? ` (redis ${cpuSExtra.toFixed(2)})` : ''}  ${run.reqPerCpuS.toFixed(0)} req/CPU-s  run-queue wait ${(run.runqWait * 100).toFixed(0)} %` +
      (scenario.id === 'userinfo' && claimsCalls !== undefined ? `  directory calls ${claimsCalls}` : ''),
  );
  return run;
}

// --- main ---------------------------------------------------------------------------------------
const runs = [];
await guard.run(async () => {
  const peerInfo = [];
  for (const id of peerIds) {
    if (id === 'tessera') {
      peers.push(await startTessera({ cpu: SERVER_CPU, useTaskset }));
    } else if (id === 'oidc-provider-memory') {
      peers.push(await startOidcProvider({ adapter: 'memory', cpu: SERVER_CPU, useTaskset }));
    } else if (id === 'oidc-provider-redis') {
      if (!hasCommand('redis-server') || !hasCommand('redis-cli')) {
        log('SKIPPING oidc-provider-redis: redis-server / redis-cli are not installed');
        continue;
      }
      redis = await startRedis({ cpu: SERVER_CPU, useTaskset });
      log(`redis-server started on 127.0.0.1:56399 (pid ${redis.pid})`);
      peers.push(
        await startOidcProvider({ adapter: 'redis', cpu: SERVER_CPU, useTaskset, redisPid: redis.pid }),
      );
    }
    const p = peers.at(-1);
    peerInfo.push({ id: p.id, label: p.label });
    log(`started ${p.label} (pid ${p.pid})`);
  }

  log(
    `${rounds} round(s) × ${scenarios.length} scenario(s) × ${peers.length} server(s), ${warmup} s warm-up + ${duration} s each, ${connections} connections`,
  );
  for (let round = 1; round <= rounds; round++) {
    for (const scenario of scenarios) {
      for (const peer of peers) runs.push(await measure(peer, scenario, round));
    }
  }

  const rows = summarize(runs, scenarios, peerInfo);
  const results = resultsTable(rows);
  const { table: ratios, verdicts } = ratioTable(rows);
  const machine = record.finish({
    oidcProvider: packageVersion('oidc-provider'),
    autocannon: packageVersion('autocannon'),
    ioredis: packageVersion('ioredis'),
    redis: redis ? redisVersion() : undefined,
  }, { log });

  console.log(
    `\n## Medians of ${rounds} round(s)\n\n${results}\n\n## Tessera ÷ oidc-provider, requests per CPU-second\n\n${ratios}\n`,
  );

  writeRawResults({
    path: opts.json,
    name: 'tessera-bench',
    startedAt,
    data: { command, startedAt, machine, duration, warmup, rounds, connections, runs, medians: rows, verdicts },
    log,
  });

  if (writeDocs) {
    const section = docSection({ results, ratios, runs, peerInfo, machine });
    writeDoc(join(ROOT, 'docs/benchmarks.md'), section, docIntro());
    log('wrote docs/benchmarks.md');
  }
});

// --- docs ---------------------------------------------------------------------------------------
function docSection({ results, ratios, runs, peerInfo, machine }) {
  return `
## Latest run

- **Command:** \`${command}\` (from the repository root; \`npm run bench\` is the same with the defaults)
- **Date:** ${startedAt.toISOString().replace('T', ' ').slice(0, 16)} UTC, Tessera at ${machine.git}
- **Machine:** ${machine.nproc} CPUs (\`nproc\`), ${machine.cpuModel}, Linux ${machine.kernel}, Node.js ${machine.node}${machine.pinned ? '' : ' — **not pinned** (taskset missing or 1 CPU)'}
- **Peers:** oidc-provider ${machine.oidcProvider}${machine.redis ? `, Redis ${machine.redis} via ioredis ${machine.ioredis}` : ' (Redis peer skipped: redis-server not installed)'}; load from autocannon ${machine.autocannon}
- **Machine load:** load average ${machine.loadavg.start} at the start, ${machine.loadavg.end} at the end (1/5/15 min; this benchmark alone accounts for about 2)
${speedLine(machine)}
- **Load:** ${connections} connections, ${warmup} s warm-up (not counted) then ${duration} s measured, ${rounds} round(s), runs interleaved (round → scenario → server), never concurrent

### Medians

${results}

¹ The Redis peer's CPU-s and req/CPU-s include the redis-server process (pinned to the same CPU as the
server), since Tessera's embedded storage (SQLite) runs inside its own process.
² Share of the measured run during which the server's main thread was runnable but waiting for
its CPU because other processes were using it (\`/proc/<pid>/schedstat\`). Where it is high, req/s,
p50 and p99 measure the machine's other tenants more than the server; req/CPU-s is much less affected.

### Tessera ÷ oidc-provider (median requests per CPU-second)

${ratios}

### Method

- Each server is a separate process pinned to CPU 0 with \`taskset -c 0\` (redis-server too); the bench
  script and autocannon are pinned to CPU 1. Only one server is under load at a time.
- Tessera is the built platform (\`dist/apps/platform/main.js\`) on its embedded defaults: no
  \`DATABASE_URL\`/\`REDIS_URL\`, so SQLite in a fresh data directory and the in-process queue,
  \`TESSERA_LOG_LEVEL=warn\`. One resource server and three managed clients (reference, JWT ES256,
  JWT RS256) are created through the internal API.
- oidc-provider (\`tools/bench/oidc-provider-server.mjs\`) has one \`client_secret_basic\` client and three
  resource indicators (opaque, JWT ES256, JWT RS256); the memory peer uses oidc-provider's own
  LRU adapter, the Redis peer a small ioredis adapter (\`tools/bench/redis-adapter.mjs\`).
- Every token endpoint and introspection request authenticates the client with HTTP Basic. Issuance posts
  \`grant_type=client_credentials&scope=bench:read\` (plus \`resource=…\` for JWTs); introspection
  posts \`token=…\` (a reference token issued just before the run) with the same client.
${scenarios.some((s) => s.id === 'userinfo') ? userinfoMethod(runs) : ''}- Before each run the first response is checked (reference token \`tsr_at_…\` / opaque, JWT with
  3 parts, \`typ: at+jwt\` and the expected \`alg\`, introspection \`active: true\`, UserInfo 200 with
  the user's \`sub\` and exactly the expected profile claims); any non-2xx, error or timeout during
  a run aborts the benchmark.
- CPU-s is \`utime + stime\` of the server process (all threads, plus any child processes) from
  \`/proc/<pid>/stat\` before and after the measured run; req/CPU-s = 2xx responses ÷ CPU-s.
  req/s, p50 and p99 are autocannon's. "CPU use" is CPU-s ÷ wall seconds (100 % = the whole core).
- The machines are shared and noisy: compare ratios and medians, not absolute numbers across runs.

<details><summary>All runs</summary>

${perRunTable(runs, scenarios, peerInfo)}

</details>
`;
}

function userinfoMethod(runs) {
  const calls = runs.filter((r) => r.scenario === 'userinfo' && r.claimsCalls !== undefined);
  const total = calls.reduce((a, r) => a + r.claimsCalls, 0);
  const range = calls.length
    ? `: each run's new user is looked up once, by the check request before the warm-up, and here the directory answered ${total} call(s) in the ${calls.length} measured ${duration} s windows together`
    : '';
  return `- **UserInfo**: before each run, one scripted authorization code flow (PKCE S256, \`scope=openid profile email\`,
  a fresh user; \`tools/bench/flow-client.mjs\`) gets a user access token from each server — a
  reference token (\`tsr_at_…\`) from a managed Tessera client with \`access_token_format: reference\`,
  an opaque token without audience from oidc-provider — and checks it by introspection. The load is
  \`GET /oauth2/userinfo\` (Tessera) / \`GET /me\` (oidc-provider's \`userinfo_endpoint\` from its
  discovery) with \`Authorization: Bearer <token>\`. Both answer the same claims: \`sub\`, name,
  given_name, family_name, preferred_username, locale, updated_at, email, email_verified (the
  profile also has phone claims, which \`openid profile email\` must not release).
  Tessera reads the user's claims from the authentication service's internal API
  (\`GET {TESSERA_AUTH_SERVICE_URL}/internal/users/{sub}/claims\`); the auth-service does not exist
  yet, so a small \`node:http\` claims server in the bench process (CPU 1, not counted as Tessera's
  CPU) answers a fixed profile for any sub, and only to the token service's internal credential.
  Tessera caches a user's claims for 30 s, so the directory sees about one call per 30 s per user${range}.
  oidc-provider's \`findAccount\` answers the same profile from memory on every request; its
  \`claims\` configuration maps the standard scopes to claims (\`tools/bench/oidc-provider-server.mjs\`).
`;
}

function docIntro() {
  return `# Benchmarks

Tessera's token endpoint, introspection and UserInfo against npm's
[oidc-provider](https://github.com/panva/node-oidc-provider), measured by \`tools/bench/run.mjs\`
(see \`tools/bench/README.md\`).

**Targets** (Tessera on its embedded defaults, 50 connections): at least **1.5×** oidc-provider's
requests per CPU-second, and **p99 under 50 ms**.

The section below is regenerated by \`npm run bench\`; edit outside the markers.`;
}
