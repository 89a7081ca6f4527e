#!/usr/bin/env node
// Tessera vs npm's oidc-provider: complete authorization code flows per second and per
// CPU-second, scripted over HTTP (tools/bench/flow-client.mjs).
//
//   node tools/bench/flows.mjs            # 10 s runs, 20 flow loops, 3 rounds, writes docs/benchmarks.md
//   node tools/bench/flows.mjs --quick    # 3 s runs, 1 round, prints only (smoke check)
//   node tools/bench/flows.mjs --help
//
// flow-full: authorize → login challenge accepted → consent challenge accepted → token, each flow
// in a fresh browser (cookie jar) with a fresh user. flow-sso: authorize → token in a browser that
// is already signed in and whose consent is remembered. Each server runs alone on CPU 0
// (taskset); this script (the browsers and the scripted login UI) runs on CPU 1. Runs are
// interleaved, never concurrent: for each round, for each scenario, for each server.
import { join } from 'node:path';
import { fail, parseBenchArgs } from './cli.mjs';
import { createHttp, FLOW_SCENARIOS, flowDriver, runFlowLoad } from './flow-client.mjs';
import { machineRecord, packageVersion, redisVersion, speedLine } from './machine.mjs';
import { ROOT, startOidcProvider, startRedis, startTessera } from './peers.mjs';
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
import {
  FLOW_MARKERS,
  flowPerRunTable,
  flowRatioTable,
  flowResultsTable,
  summarizeFlows,
  writeDoc,
  writeRawResults,
} from './report.mjs';

const HELP = `Usage: node tools/bench/flows.mjs [options]

  --duration <s>      measured seconds per run (default 10; 3 with --quick)
  --warmup <s>        unmeasured warm-up seconds before each run (default 2)
  --rounds <n>        rounds; the table shows the median (default 3; 1 with --quick)
  --concurrency <n>   concurrent flow loops (browsers) (default 20)
  --quick             smoke check: 3 s, 1 round, does not write docs/benchmarks.md
  --peers <list>      comma list of tessera, oidc-provider-memory, oidc-provider-redis (default all)
  --scenarios <list>  comma list of ${FLOW_SCENARIOS.map((s) => s.id).join(', ')} (default all)
  --docs / --no-docs  write the flow section of docs/benchmarks.md (default: on, off with --quick)
  --json <path>       where to write the raw results (default: a file in the temp dir)
`;

const { opts, duration, warmup, rounds, load: concurrency, writeDocs, peerIds, scenarios, command, log } = parseBenchArgs({
  script: 'tools/bench/flows.mjs',
  help: HELP,
  tag: 'flows',
  load: { name: 'concurrency', default: 20 },
  scenarios: FLOW_SCENARIOS,
});

// --- machine ----------------------------------------------------------------------------------
const useTaskset = pinBenchProcess({
  log,
  server: 'servers',
  bench: 'this script (browsers + login UI)',
  unpinned: 'servers and load generator are NOT pinned',
});
// The build under test: other work may rebuild dist/ while the benchmark runs; the server keeps
// running the build it started with, which is the one reported.
const record = machineRecord({ pinned: useTaskset });
const { startedAt } = record;

// --- cleanup: every process this script started, and nothing else -----------------------------
let redis;
const peers = [];
const httpClient = createHttp({ maxSockets: concurrency * 2 });
// Per run: SSO sign-in + warm-up + window + the flows in flight at the end (≤ 10 s request timeout).
const perRunSeconds = warmup + duration + 15;
const guard = guardRun({
  tag: 'flows',
  log,
  budgetMs: (rounds * scenarios.length * peerIds.length * perRunSeconds + 180) * 1000,
  async stopAll() {
    httpClient.close();
    for (const p of peers) await p.stop().catch(ignore);
    await stopStarted();
    redis?.stop();
  },
});

// --- measurement ------------------------------------------------------------------------------
function cpuOf(peer) {
  const node = cpuSeconds(peer.pid);
  const extra = peer.extraCpuPids.reduce((a, pid) => a + cpuSeconds(pid), 0);
  return { node, extra };
}

const runTag = Date.now().toString(36);

async function measure(peer, scenario, round) {
  const what = `round ${round} ${scenario.id} ${peer.id}`;
  if (exitedUnexpectedly.length)
    fail(`a server exited during the benchmark: ${JSON.stringify(exitedUnexpectedly)}`);
  const driver = flowDriver(await peer.flowTarget(), httpClient);

  // The first flow must end with a real access token: introspected, active, for that user.
  const sub = `check-${runTag}-${round}-${scenario.id}`;
  const { jar, token } = await driver.full(sub);
  await driver.verifyToken(token, sub);
  if (scenario.id === 'flow-sso') await driver.verifyToken(await driver.sso(jar), sub);

  let res;
  try {
    res = await runFlowLoad({
      driver,
      scenario: scenario.id,
      concurrency,
      warmupS: warmup,
      durationS: duration,
      subPrefix: `u-${runTag}-${round}-${scenario.id}`,
      onWindowStart: () => ({
        cpu: cpuOf(peer),
        sched: schedstat(peer.pid),
        self: process.cpuUsage(),
        selfSched: schedstat(process.pid),
        t: process.hrtime.bigint(),
      }),
      onWindowEnd: () => ({
        cpu: cpuOf(peer),
        sched: schedstat(peer.pid),
        self: process.cpuUsage(),
        selfSched: schedstat(process.pid),
        t: process.hrtime.bigint(),
      }),
    });
  } catch (e) {
    console.error(`--- last output of ${peer.id} ---\n${peer.output().slice(-4000)}`);
    throw new Error(`${what}: ${e.message}`, { cause: e });
  }
  const { before, after } = res.window;
  const wallNs = Number(after.t - before.t);
  const cpuSNode = after.cpu.node - before.cpu.node;
  const cpuSExtra = after.cpu.extra - before.cpu.extra;
  const cpuS = cpuSNode + cpuSExtra;
  const selfS = (after.self.user - before.self.user + after.self.system - before.self.system) / 1e6;
  const run = {
    round,
    scenario: scenario.id,
    peer: peer.id,
    seconds: res.seconds,
    flows: res.flows,
    flowsPerS: res.flows / res.seconds,
    p50: res.p50,
    p90: res.p90,
    p99: res.p99,
    max: res.max,
    cpuSNode,
    cpuSExtra,
    cpuS,
    flowsPerCpuS: res.flows / cpuS,
    flowsPerCpuSNodeOnly: res.flows / cpuSNode,
    runqWait: before.sched && after.sched ? (after.sched.wait - before.sched.wait) / wallNs : NaN,
    // The load generator (this process: browsers + scripted login UI) on its own CPU: near 100 %
    // would mean it, not the server, limits flows/s.
    loadGenCpuUtil: selfS / (wallNs / 1e9),
    loadGenRunqWait:
      before.selfSched && after.selfSched ? (after.selfSched.wait - before.selfSched.wait) / wallNs : NaN,
  };
  log(
    `${what.padEnd(44)} ${run.flowsPerS.toFixed(0).padStart(5)} flows/s  p50 ${run.p50.toFixed(1).padStart(6)} ms  p99 ${run.p99.toFixed(1).padStart(6)} ms  ` +
      `CPU ${cpuS.toFixed(2)} s${cpuSExtra ? ` (redis ${cpuSExtra.toFixed(2)})` : ''}  ${run.flowsPerCpuS.toFixed(0)} flows/CPU-s  ` +
      `run-queue wait ${(run.runqWait * 100).toFixed(0)} %  load-gen CPU ${(run.loadGenCpuUtil * 100).toFixed(0)} % (waiting ${(run.loadGenRunqWait * 100).toFixed(0)} %)`,
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
    `${rounds} round(s) × ${scenarios.length} scenario(s) × ${peers.length} server(s), ${warmup} s warm-up + ${duration} s each, ${concurrency} concurrent flow loops`,
  );
  for (let round = 1; round <= rounds; round++) {
    for (const scenario of scenarios) {
      for (const peer of peers) runs.push(await measure(peer, scenario, round));
    }
  }

  const rows = summarizeFlows(runs, scenarios, peerInfo);
  const results = flowResultsTable(rows);
  const { table: ratios, verdicts } = flowRatioTable(rows);
  const machine = record.finish(
    {
      oidcProvider: packageVersion('oidc-provider'),
      ioredis: packageVersion('ioredis'),
      redis: redis ? redisVersion() : undefined,
    },
    { log, rebuilt: (built) => `the results are for the build of ${built}` },
  );

  console.log(
    `\n## Medians of ${rounds} round(s)\n\n${results}\n\n## Tessera ÷ oidc-provider\n\n${ratios}\n`,
  );

  writeRawResults({
    path: opts.json,
    name: 'tessera-bench-flows',
    startedAt,
    data: { command, startedAt, machine, duration, warmup, rounds, concurrency, runs, medians: rows, verdicts },
    log,
  });

  if (writeDocs) {
    writeDoc(
      join(ROOT, 'docs/benchmarks.md'),
      docSection({ results, ratios, runs, machine }),
      '# Benchmarks',
      FLOW_MARKERS,
    );
    log('wrote the flow section of docs/benchmarks.md');
  }
});

// --- docs ---------------------------------------------------------------------------------------
function docSection({ results, ratios, runs, machine }) {
  return `
## Authorization code flows

Complete authorization code flows, scripted over HTTP by \`tools/bench/flows.mjs\` (browsers with
cookie jars and a scripted login/consent UI), Tessera vs oidc-provider in the same run.
**Target:** at least **1.5×** oidc-provider's flows (per CPU-second) in both scenarios.

### Latest run

- **Command:** \`${command}\` (from the repository root)
- **Date:** ${startedAt.toISOString().replace('T', ' ').slice(0, 16)} UTC, Tessera at ${machine.git}, \`dist/apps/platform/main.js\` built ${machine.tesseraBuild} UTC${machine.rebuiltDuringRun ? ' (**rebuilt during the run**; the servers ran this build)' : ''}
- **Machine:** ${machine.nproc} CPUs (\`nproc\`), ${machine.cpuModel}, Linux ${machine.kernel}, Node.js ${machine.node}${machine.pinned ? '' : ' — **not pinned** (taskset missing or 1 CPU)'}
- **Peers:** oidc-provider ${machine.oidcProvider}${machine.redis ? `, Redis ${machine.redis} via ioredis ${machine.ioredis}` : ' (Redis peer skipped: redis-server not installed)'}
- **Machine load:** load average ${machine.loadavg.start} at the start, ${machine.loadavg.end} at the end (1/5/15 min; this benchmark alone accounts for about 2)
${speedLine(machine)}
- **Load:** ${concurrency} concurrent flow loops (closed loop: each starts its next flow when the last one got its token), ${warmup} s warm-up (not counted) then ${duration} s measured, ${rounds} round(s), runs interleaved (round → scenario → server), never concurrent

#### Medians

${results}

¹ The Redis peer's CPU-s and flows/CPU-s include the redis-server process (pinned to the same CPU as
the server), since Tessera's embedded storage (SQLite) runs inside its own process.
² Share of the measured run during which the server's main thread was runnable but waiting for
its CPU because other processes were using it (\`/proc/<pid>/schedstat\`); for the Redis peer that
includes its own redis-server, which shares the CPU.
³ CPU use of the load generator (the browsers and the scripted login UI, one Node.js process on
CPU 1), and in parentheses the share of the run it was runnable but waiting for CPU 1; near
100 % CPU (or a high wait) would mean it, not the server, limited flows/s.

#### Tessera ÷ oidc-provider (medians)

${ratios}

### Method

- **flow-full** (8 HTTP requests per flow on both servers), each flow in a fresh cookie jar with a
  fresh user:
  - Tessera: \`GET /oauth2/authorize?response_type=code&client_id&redirect_uri&scope=bench:read&state&code_challenge&code_challenge_method=S256\`
    → 303 to the login page with the \`tessera_cv_…\` binding cookie; the scripted login UI reads the
    challenge (\`GET /internal/challenges/X\`, internal listener) and accepts it
    (\`POST …/accept\` with the binding cookie's verifier, \`sub\`, \`amr: ['pwd']\`, \`auth_time\`,
    \`remember: true\`); the browser follows \`redirect_to\` → 303 to the consent page (and the
    \`tessera_session\` cookie); read + accept consent (\`grant_scope: ['bench:read']\`,
    \`remember: true\`); follow \`redirect_to\` → 303 to the redirect URI with \`code\`;
    \`POST /oauth2/token\` (\`client_secret_basic\`, \`code_verifier\`) → access token.
  - oidc-provider (\`tools/bench/oidc-provider-server.mjs\`): \`GET /auth?…\` (same parameters) → 303
    to \`/bench/interaction/<uid>\` with the \`_interaction\`/\`_interaction_resume\` cookies; the
    browser reads the interaction (\`GET\`, \`provider.interactionDetails\`) and posts the login
    (\`POST …/login\` \`{ accountId }\` → \`provider.interactionResult\` with \`login\`); follows
    \`redirect_to\` (\`/auth/<uid>\`, which sets \`_session\`) → 303 to the consent interaction; reads
    it and posts the consent (a saved \`provider.Grant\` with the missing scopes →
    \`interactionResult\` with \`consent.grantId\`); follows \`redirect_to\` → 303 to the redirect URI
    with \`code\`; \`POST /token\` → access token. \`findAccount\` returns a bare account, PKCE is
    required; the access token is opaque (the default resource indicator's format), like
    Tessera's reference token.
- **flow-sso** (2 requests per flow): each loop signs in once with a full flow (not counted), then
  repeats \`GET authorize\` → 303 straight to the redirect URI with \`code\` → token request.
- Neither side hashes passwords (there are none: the login is accepted by the scripted UI).
- The load generator is one Node.js process (\`node:http\` with keep-alive, cookie jars that honour
  \`Path\` and expiry) pinned to CPU 1; each server is a separate process pinned to CPU 0 (redis-server
  too). Every step's answer is checked (status, \`Location\`, cookies, \`state\`, \`iss\`, JSON
  fields); any unexpected answer aborts the benchmark. Before each run one flow's access token is
  introspected and must be active for that user, client and scope.
- A flow counts when its token response arrives inside the measured window; latency is from its
  first request to that response (so at ${concurrency} loops it includes queueing on one core).
  CPU-s is \`utime + stime\` of the server process from \`/proc/<pid>/stat\` over the window;
  flows/CPU-s = flows ÷ CPU-s. The table shows the median of the rounds for each metric.
- The machines are shared and noisy: compare ratios and medians, not absolute numbers across runs.

<details><summary>All runs</summary>

${flowPerRunTable(runs)}

</details>
`;
}
