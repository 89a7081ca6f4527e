#!/usr/bin/env node
// A/B of Tessera builds on authorization code flows, for changes worth a few per cent: every
// build's platform runs at once (all pinned to CPU 0, idle but for the build under load), and the
// load switches between them every few seconds, so the shared machine's slow drifts (a signature
// cost 350 µs one hour and 1,000 the next) hit every build alike.
//
//   node tools/bench/ab-builds.mjs [--phases 10] [--phase 3] [--scenario flow-full|flow-sso]
//                                  [--concurrency 20] [--database a,b] <checkout> <checkout> ...
//
// Each <checkout> is a directory holding a built Tessera (dist/apps/platform/main.js) and its
// tools/bench, e.g. `git worktree add /tmp/base main` with the build copied or made there. The
// first checkout is the reference. `--database` gives each build a PostgreSQL database of its own
// on TESSERA_AB_PG (default postgres://app:app@127.0.0.1:55432), and then CPU-s includes the
// cluster's (read from its postmaster and backends: TESSERA_AB_PG_PID, or the pid file of the
// local Debian cluster on port 55432).
//
// Printed per build: flows per CPU-second over all phases and the median of its phases; per build
// after the first: the ratio of totals and the median of the phase-by-phase ratios (phase k of
// each build ran back to back, so the pair shares the machine's state).
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { createHttp, flowDriver } from './flow-client.mjs';
import { cpuSeconds, pin, sleep, stopStarted } from './proc.mjs';

const { values: opts, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    phases: { type: 'string', default: '10' },
    phase: { type: 'string', default: '3' },
    scenario: { type: 'string', default: 'flow-full' },
    concurrency: { type: 'string', default: '20' },
    database: { type: 'string' },
  },
});
const checkouts = positionals.map((dir) => resolve(dir));
if (checkouts.length < 2) throw new Error('give at least two checkouts: the reference first');
if (!['flow-full', 'flow-sso'].includes(opts.scenario)) throw new Error(`unknown scenario ${opts.scenario}`);
const databases = opts.database?.split(',');
if (databases && databases.length !== checkouts.length) throw new Error('--database needs one database per checkout');
const pgBase = process.env.TESSERA_AB_PG ?? 'postgres://app:app@127.0.0.1:55432';
const postmaster = databases
  ? Number(process.env.TESSERA_AB_PG_PID ?? readFileSync('/var/run/postgresql/15-dev.pid', 'utf8').split('\n')[0])
  : undefined;
const cpuOf = (pid) => cpuSeconds(pid) + (postmaster ? cpuSeconds(postmaster) : 0);
const concurrency = Number(opts.concurrency);

pin(process.pid, '1');
const watchdog = setTimeout(async () => {
  console.error('[ab] watchdog: giving up');
  await stopStarted();
  process.exit(3);
}, (60 + checkouts.length * (Number(opts.phases) * Number(opts.phase) + 40)) * 1000);

const builds = [];
try {
  for (const [i, dir] of checkouts.entries()) {
    // Each checkout's own peers.mjs, so that its own dist/ is the one started.
    const { startTessera } = await import(pathToFileURL(join(dir, 'tools/bench/peers.mjs')).href);
    const env = databases ? { DATABASE_URL: `${pgBase}/${databases[i]}` } : {};
    const tessera = await startTessera({ cpu: 0, useTaskset: true, env });
    const driver = flowDriver(await tessera.flowTarget(), createHttp({ maxSockets: concurrency * 2 }));
    builds.push({ dir, tessera, driver, phases: [], flows: 0, cpu: 0 });
  }
  let user = 0;
  const nextSub = () => `ab-${Date.now().toString(36)}-${++user}`;

  /** `seconds` of closed-loop flows against one build; returns flows per CPU-second. */
  async function phase(build, seconds, counted) {
    const jars = [];
    if (opts.scenario === 'flow-sso') for (let i = 0; i < concurrency; i++) jars.push((await build.driver.full(nextSub())).jar);
    let stopping = false;
    let flows = 0;
    const cpu0 = cpuOf(build.tessera.pid);
    const loop = async (i) => {
      while (!stopping) {
        if (opts.scenario === 'flow-full') await build.driver.full(nextSub());
        else await build.driver.sso(jars[i]);
        flows++;
      }
    };
    const loops = Array.from({ length: concurrency }, (_, i) => loop(i));
    await sleep(seconds * 1000);
    stopping = true;
    await Promise.all(loops);
    const cpu = cpuOf(build.tessera.pid) - cpu0;
    if (counted) {
      build.flows += flows;
      build.cpu += cpu;
      build.phases.push(flows / cpu);
    }
  }

  for (const build of builds) await phase(build, 3, false); // warm-up
  for (let p = 0; p < Number(opts.phases); p++) {
    // Alternate the order, so that no build always follows the same one.
    const order = p % 2 ? [...builds].reverse() : builds;
    for (const build of order) await phase(build, Number(opts.phase), true);
  }

  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  console.log(`${opts.scenario}, ${opts.phases} phases of ${opts.phase} s per build${databases ? ', PostgreSQL (CPU-s includes the cluster)' : ', SQLite'}:`);
  for (const b of builds) {
    console.log(`  ${b.dir}: ${(b.flows / b.cpu).toFixed(1)} flows/CPU-s (median of phases ${median(b.phases).toFixed(1)}; ${b.phases.map((x) => x.toFixed(0)).join(' ')})`);
  }
  const [reference] = builds;
  for (const b of builds.slice(1)) {
    const ratios = b.phases.map((x, k) => x / reference.phases[k]);
    console.log(`  ${b.dir} ÷ ${reference.dir}: ${(b.flows / b.cpu / (reference.flows / reference.cpu)).toFixed(3)} (median of phase ratios ${median(ratios).toFixed(3)})`);
  }
} finally {
  clearTimeout(watchdog);
  for (const b of builds) await b.tessera.stop().catch(() => undefined);
  await stopStarted();
}
