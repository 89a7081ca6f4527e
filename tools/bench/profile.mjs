#!/usr/bin/env node
// Profiles Tessera under one benchmark scenario: starts the built platform with `node --cpu-prof`
// (pinned to CPU 0), warms up, runs autocannon for a fixed time, stops the platform (SIGTERM, so
// the profile is written) and summarises the samples taken during the measured window.
//
//   node tools/bench/profile.mjs [--scenario cc-reference] [--duration 5] [--warmup 2] [--top 25]
//   node tools/bench/profile.mjs --scenario userinfo                       # GET /oauth2/userinfo
//   node tools/bench/profile.mjs --scenario flow-full [--concurrency 20]   # authorization code flows
//
// The flow scenarios (flow-full, flow-sso) are driven by tools/bench/flow-client.mjs, as in flows.mjs.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { printSummary, summarizeProfile } from './cpuprofile-summary.mjs';
import { createHttp, FLOW_SCENARIOS, flowDriver, runFlowLoad } from './flow-client.mjs';
import { SCENARIOS, startTessera } from './peers.mjs';
import { cpuSeconds, hasCommand, ignore, pin, started, stop } from './proc.mjs';

const { values: opts } = parseArgs({
  options: {
    scenario: { type: 'string', default: 'cc-reference' },
    duration: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '2' },
    connections: { type: 'string', default: '50' },
    concurrency: { type: 'string', default: '20' },
    top: { type: 'string', default: '25' },
  },
});
const isFlow = FLOW_SCENARIOS.some((s) => s.id === opts.scenario);
if (!isFlow && !SCENARIOS.some((s) => s.id === opts.scenario))
  throw new Error(`unknown scenario ${opts.scenario}`);
const duration = Number(opts.duration);
const warmup = Number(opts.warmup);

const useTaskset = hasCommand('taskset', ['--version']) && availableParallelism() >= 2;
if (useTaskset) pin(process.pid, '1');
const profDir = mkdtempSync(join(tmpdir(), 'tessera-cpuprof-'));
const watchdog = setTimeout(
  async () => {
    console.error('[profile] watchdog: giving up');
    for (const c of [...started]) await stop(c, 1000);
    process.exit(3);
  },
  (duration + warmup + 90) * 1000,
);

let tessera;
try {
  tessera = await startTessera({ cpu: 0, useTaskset, nodeArgs: ['--cpu-prof', '--cpu-prof-dir', profDir] });
  if (isFlow) {
    // Closed-loop flows: the warm-up and the window are handled by runFlowLoad.
    const httpClient = createHttp({ maxSockets: Number(opts.concurrency) * 2 });
    const driver = flowDriver(await tessera.flowTarget(), httpClient);
    let cpu0;
    let from;
    let to;
    let cpu;
    const res = await runFlowLoad({
      driver,
      scenario: opts.scenario,
      concurrency: Number(opts.concurrency),
      warmupS: warmup,
      durationS: duration,
      subPrefix: `prof-${Date.now().toString(36)}`,
      onWindowStart: () => {
        cpu0 = cpuSeconds(tessera.pid);
        from = Number(process.hrtime.bigint() / 1000n);
      },
      onWindowEnd: () => {
        to = Number(process.hrtime.bigint() / 1000n);
        cpu = cpuSeconds(tessera.pid) - cpu0;
      },
    });
    httpClient.close();
    console.log(
      `${opts.scenario}: ${(res.flows / res.seconds).toFixed(0)} flows/s, p50 ${res.p50.toFixed(1)} ms, p99 ${res.p99.toFixed(1)} ms, ` +
        `${cpu.toFixed(2)} CPU-s, ${(res.flows / cpu).toFixed(0)} flows/CPU-s (with the profiler attached)`,
    );
    await summarize(from, to);
  } else {
    await loadWithAutocannon();
  }
} catch (e) {
  console.error(`[profile] FAILED: ${e.stack ?? e}`);
  process.exitCode = 1;
} finally {
  if (tessera) await tessera.stop().catch(ignore);
  for (const c of [...started]) await stop(c, 1000);
  clearTimeout(watchdog);
}

async function loadWithAutocannon() {
  // userinfo: a user's access token from one scripted code flow, then GET with only the bearer token.
  const req = await tessera.request(opts.scenario);
  const cannon = (seconds) =>
    autocannon({
      url: req.url,
      method: req.method ?? 'POST',
      headers:
        req.body === undefined
          ? { authorization: req.authorization }
          : { authorization: req.authorization, 'content-type': 'application/x-www-form-urlencoded' },
      body: req.body,
      connections: Number(opts.connections),
      duration: seconds,
    });
  if (warmup) await cannon(warmup);
  const cpu0 = cpuSeconds(tessera.pid);
  const from = Number(process.hrtime.bigint() / 1000n);
  const res = await cannon(duration);
  const to = Number(process.hrtime.bigint() / 1000n);
  const cpu = cpuSeconds(tessera.pid) - cpu0;
  if (res.non2xx || res.errors) throw new Error(`${res.non2xx} non-2xx, ${res.errors} errors`);
  console.log(
    `${opts.scenario}: ${(res['2xx'] / res.duration).toFixed(0)} req/s, p50 ${res.latency.p50} ms, p99 ${res.latency.p99} ms, ` +
      `${cpu.toFixed(2)} CPU-s, ${(res['2xx'] / cpu).toFixed(0)} req/CPU-s (with the profiler attached)`,
  );
  await summarize(from, to);
}

/** Stops Tessera (so the profile is written) and prints the summary of the window [from, to]. */
async function summarize(from, to) {
  await tessera.stop();
  tessera = undefined;

  const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no .cpuprofile in ${profDir}`);
  const profile = JSON.parse(readFileSync(join(profDir, file), 'utf8'));
  const inWindow = profile.startTime <= to && profile.endTime >= from;
  if (!inWindow)
    console.warn(
      '[profile] the measured window does not match the profile clock; summarising the whole profile',
    );
  if (inWindow) writeFileSync(join(profDir, `${file}.window.json`), JSON.stringify({ from, to }));
  console.log(
    `\nprofile: ${join(profDir, file)}${inWindow ? ' (samples of the measured window only)' : ''}\n`,
  );
  console.log(printSummary(summarizeProfile(profile, Number(opts.top), inWindow ? { from, to } : undefined)));
}
