// Markdown tables, raw results and docs/benchmarks.md sections for the benchmarks (the token
// endpoint's and the flows' tables are here; the other scripts keep their own tables).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median } from './stats.mjs';

/** A number for a table: grouped thousands, `digits` decimals, '–' when not finite. */
export const fmt = (x, digits = 0) =>
  Number.isFinite(x)
    ? x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
    : '–';
const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? a / b : NaN);

/** One row per (scenario, peer): the median of each metric over the rounds. */
export function summarize(runs, scenarios, peers) {
  const rows = [];
  for (const s of scenarios) {
    for (const p of peers) {
      const rs = runs.filter((r) => r.scenario === s.id && r.peer === p.id);
      if (!rs.length) continue;
      rows.push({
        scenario: s.id,
        scenarioLabel: s.label,
        peer: p.id,
        peerLabel: p.label,
        runs: rs.length,
        rps: median(rs.map((r) => r.rps)),
        p50: median(rs.map((r) => r.p50)),
        p99: median(rs.map((r) => r.p99)),
        cpuS: median(rs.map((r) => r.cpuS)),
        cpuUtil: median(rs.map((r) => r.cpuS / r.seconds)),
        runqWait: median(rs.map((r) => r.runqWait)),
        reqPerCpuS: median(rs.map((r) => r.reqPerCpuS)),
        reqPerCpuSNodeOnly: median(rs.map((r) => r.reqPerCpuSNodeOnly)),
        non2xx: rs.reduce((a, r) => a + r.non2xx, 0),
        perRound: rs.map((r) => r.reqPerCpuS),
      });
    }
  }
  return rows;
}

export function resultsTable(rows) {
  const out = [
    '| Scenario | Server | req/s | p50 ms | p99 ms | CPU-s | CPU use | run-queue wait ² | req/CPU-s | non-2xx |',
    '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|',
  ];
  for (const r of rows) {
    out.push(
      `| ${r.scenarioLabel} | ${r.peerLabel}${r.peer === 'oidc-provider-redis' ? ' ¹' : ''} | ${fmt(r.rps)} | ${fmt(r.p50, 1)} | ${fmt(r.p99, 1)} | ${fmt(r.cpuS, 2)} | ${fmt(r.cpuUtil * 100)} % | ${fmt(r.runqWait * 100)} % | ${fmt(r.reqPerCpuS)} | ${r.non2xx} |`,
    );
  }
  return out.join('\n');
}

/** Tessera ÷ each oidc-provider peer, per scenario, against the targets. */
export function ratioTable(rows, { targetRatio = 1.5, targetP99 = 50 } = {}) {
  const out = [
    '| Scenario | Tessera req/CPU-s | ÷ oidc-provider (memory) | ÷ oidc-provider (redis) ¹ | Tessera p99 | Targets met (≥ ' +
      targetRatio +
      '× memory, ≥ ' +
      targetRatio +
      '× redis, p99 < ' +
      targetP99 +
      ' ms) |',
    '|---|--:|--:|--:|--:|---|',
  ];
  const scenarios = [...new Map(rows.map((r) => [r.scenario, r.scenarioLabel])).entries()];
  const verdicts = [];
  for (const [id, label] of scenarios) {
    const t = rows.find((r) => r.scenario === id && r.peer === 'tessera');
    if (!t) continue;
    const mem = rows.find((r) => r.scenario === id && r.peer === 'oidc-provider-memory');
    const red = rows.find((r) => r.scenario === id && r.peer === 'oidc-provider-redis');
    const rm = ratio(t.reqPerCpuS, mem?.reqPerCpuS);
    const rr = ratio(t.reqPerCpuS, red?.reqPerCpuS);
    const mark = (ok) => (ok === undefined ? '–' : ok ? '✅' : '❌');
    const okMem = mem ? rm >= targetRatio : undefined;
    const okRed = red ? rr >= targetRatio : undefined;
    const okP99 = t.p99 < targetP99;
    verdicts.push({ scenario: id, ratioMemory: rm, ratioRedis: rr, okMem, okRed, okP99 });
    out.push(
      `| ${label} | ${fmt(t.reqPerCpuS)} | ${Number.isFinite(rm) ? fmt(rm, 2) + '×' : '–'} | ${Number.isFinite(rr) ? fmt(rr, 2) + '×' : '–'} | ${fmt(t.p99, 1)} ms | ${mark(okMem)} ${mark(okRed)} ${mark(okP99)} |`,
    );
  }
  return { table: out.join('\n'), verdicts };
}

export function perRunTable(runs, scenarios, peers) {
  const out = [
    '| Round | Scenario | Server | req/s | p50 ms | p99 ms | CPU-s (node + redis) | run-queue wait | req/CPU-s |',
    '|--:|---|---|--:|--:|--:|--:|--:|--:|',
  ];
  for (const r of runs) {
    const s = scenarios.find((x) => x.id === r.scenario);
    const p = peers.find((x) => x.id === r.peer);
    const cpu = r.cpuSExtra ? `${fmt(r.cpuSNode, 2)} + ${fmt(r.cpuSExtra, 2)}` : fmt(r.cpuS, 2);
    out.push(
      `| ${r.round} | ${s?.id ?? r.scenario} | ${p?.id ?? r.peer} | ${fmt(r.rps)} | ${fmt(r.p50, 1)} | ${fmt(r.p99, 1)} | ${cpu} | ${fmt(r.runqWait * 100)} % | ${fmt(r.reqPerCpuS)} |`,
    );
  }
  return out.join('\n');
}

/**
 * Writes a run's raw results as indented JSON to `path`, or to `<name>-<start time>.json` in the
 * temp dir when no path was given, and logs where.
 */
export function writeRawResults({ path, name, startedAt, data, log }) {
  const file = path ?? join(tmpdir(), `${name}-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify(data, null, 2));
  log(`raw results: ${file}`);
  return file;
}

const START = '<!-- bench:results:start -->';
const END = '<!-- bench:results:end -->';

/**
 * Writes the generated section into docs/benchmarks.md between `markers` (default: the token
 * endpoint's `bench:results` pair), keeping anything outside them; appends the block when the
 * markers are not there yet.
 */
export function writeDoc(path, section, intro, markers = { start: START, end: END }) {
  const { start: START, end: END } = markers;
  const block = `${START}\n${section.trim()}\n${END}`;
  let text;
  if (existsSync(path)) {
    const old = readFileSync(path, 'utf8');
    const a = old.indexOf(START);
    const b = old.indexOf(END);
    text =
      a >= 0 && b > a
        ? old.slice(0, a) + block + old.slice(b + END.length)
        : `${old.trimEnd()}\n\n${block}\n`;
  } else {
    text = `${intro.trim()}\n\n${block}\n`;
  }
  writeFileSync(path, text);
}

// --- authorization code flows (tools/bench/flows.mjs) -------------------------------------------

export const FLOW_MARKERS = { start: '<!-- bench:flows:start -->', end: '<!-- bench:flows:end -->' };

/** One row per (scenario, peer) of flow runs: the median of each metric over the rounds. */
export function summarizeFlows(runs, scenarios, peers) {
  const rows = [];
  for (const s of scenarios) {
    for (const p of peers) {
      const rs = runs.filter((r) => r.scenario === s.id && r.peer === p.id);
      if (!rs.length) continue;
      const m = (f) => median(rs.map(f));
      rows.push({
        scenario: s.id,
        scenarioLabel: s.label,
        peer: p.id,
        peerLabel: p.label,
        runs: rs.length,
        flowsPerS: m((r) => r.flowsPerS),
        p50: m((r) => r.p50),
        p99: m((r) => r.p99),
        cpuS: m((r) => r.cpuS),
        cpuUtil: m((r) => r.cpuS / r.seconds),
        runqWait: m((r) => r.runqWait),
        flowsPerCpuS: m((r) => r.flowsPerCpuS),
        flowsPerCpuSNodeOnly: m((r) => r.flowsPerCpuSNodeOnly),
        loadGenCpu: m((r) => r.loadGenCpuUtil),
        loadGenRunqWait: m((r) => r.loadGenRunqWait),
        perRound: rs.map((r) => r.flowsPerCpuS),
      });
    }
  }
  return rows;
}

export function flowResultsTable(rows) {
  const out = [
    '| Scenario | Server | flows/s | p50 ms | p99 ms | CPU-s | CPU use | run-queue wait ² | flows/CPU-s | load generator CPU (run-queue wait) ³ |',
    '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|',
  ];
  for (const r of rows) {
    out.push(
      `| ${r.scenarioLabel} | ${r.peerLabel}${r.peer === 'oidc-provider-redis' ? ' ¹' : ''} | ${fmt(r.flowsPerS)} | ${fmt(r.p50, 1)} | ${fmt(r.p99, 1)} | ${fmt(r.cpuS, 2)} | ${fmt(r.cpuUtil * 100)} % | ${fmt(r.runqWait * 100)} % | ${fmt(r.flowsPerCpuS)} | ${fmt(r.loadGenCpu * 100)} % (${fmt(r.loadGenRunqWait * 100)} %) |`,
    );
  }
  return out.join('\n');
}

/** Tessera ÷ each oidc-provider peer, per flow scenario: flows per CPU-second and flows per second. */
export function flowRatioTable(rows, { targetRatio = 1.5 } = {}) {
  const out = [
    `| Scenario | Tessera flows/CPU-s | ÷ oidc-provider (memory) | ÷ oidc-provider (redis) ¹ | flows/s ÷ memory | flows/s ÷ redis | ≥ ${targetRatio}× (flows/CPU-s: memory, redis) |`,
    '|---|--:|--:|--:|--:|--:|---|',
  ];
  const scenarios = [...new Map(rows.map((r) => [r.scenario, r.scenarioLabel])).entries()];
  const verdicts = [];
  const x = (v) => (Number.isFinite(v) ? `${fmt(v, 2)}×` : '–');
  const mark = (ok) => (ok === undefined ? '–' : ok ? '✅' : '❌');
  for (const [id, label] of scenarios) {
    const t = rows.find((r) => r.scenario === id && r.peer === 'tessera');
    if (!t) continue;
    const mem = rows.find((r) => r.scenario === id && r.peer === 'oidc-provider-memory');
    const red = rows.find((r) => r.scenario === id && r.peer === 'oidc-provider-redis');
    const v = {
      scenario: id,
      ratioMemory: ratio(t.flowsPerCpuS, mem?.flowsPerCpuS),
      ratioRedis: ratio(t.flowsPerCpuS, red?.flowsPerCpuS),
      rateRatioMemory: ratio(t.flowsPerS, mem?.flowsPerS),
      rateRatioRedis: ratio(t.flowsPerS, red?.flowsPerS),
    };
    v.okMem = mem ? v.ratioMemory >= targetRatio : undefined;
    v.okRed = red ? v.ratioRedis >= targetRatio : undefined;
    verdicts.push(v);
    out.push(
      `| ${label} | ${fmt(t.flowsPerCpuS)} | ${x(v.ratioMemory)} | ${x(v.ratioRedis)} | ${x(v.rateRatioMemory)} | ${x(v.rateRatioRedis)} | ${mark(v.okMem)} ${mark(v.okRed)} |`,
    );
  }
  return { table: out.join('\n'), verdicts };
}

export function flowPerRunTable(runs) {
  const out = [
    '| Round | Scenario | Server | flows | flows/s | p50 ms | p99 ms | CPU-s (node + redis) | run-queue wait | flows/CPU-s | load generator CPU (run-queue wait) |',
    '|--:|---|---|--:|--:|--:|--:|--:|--:|--:|--:|',
  ];
  for (const r of runs) {
    const cpu = r.cpuSExtra ? `${fmt(r.cpuSNode, 2)} + ${fmt(r.cpuSExtra, 2)}` : fmt(r.cpuS, 2);
    out.push(
      `| ${r.round} | ${r.scenario} | ${r.peer} | ${r.flows} | ${fmt(r.flowsPerS)} | ${fmt(r.p50, 1)} | ${fmt(r.p99, 1)} | ${cpu} | ${fmt(r.runqWait * 100)} % | ${fmt(r.flowsPerCpuS)} | ${fmt(r.loadGenCpuUtil * 100)} % (${fmt(r.loadGenRunqWait * 100)} %) |`,
    );
  }
  return out.join('\n');
}
