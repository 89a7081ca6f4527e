#!/usr/bin/env node
// Summarises a V8 .cpuprofile (from `node --cpu-prof`): self time by function, inclusive time by
// function, and self time by package (node_modules/<pkg>, node: internals, the app bundle).
//
//   node tools/bench/cpuprofile-summary.mjs <file.cpuprofile> [--top 25]
//
// When `<file.cpuprofile>.window.json` exists (written by profile.mjs), only the samples of the
// measured window are counted.
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

/**
 * `window` ({ from, to } in µs of CLOCK_MONOTONIC, i.e. process.hrtime.bigint() / 1000n on the
 * same machine) keeps only the samples taken in that interval, e.g. the measured run.
 */
export function summarizeProfile(profile, top = 25, window) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map(); // node id → µs
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i] ?? 0;
    if (window && (t < window.from || t > window.to)) continue;
    const id = profile.samples[i];
    // A sample stands for the interval up to the next one.
    const dt = profile.timeDeltas[i + 1] ?? 0;
    self.set(id, (self.get(id) ?? 0) + dt);
  }
  // Percentages are of busy time: "(idle)" (waiting in the event loop) is reported apart.
  let idle = 0;
  for (const [id, us] of self) {
    if (nodes.get(id).callFrame.functionName === '(idle)') {
      idle += us;
      self.delete(id);
    }
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);

  const keyOf = (n) => {
    const { functionName, url, lineNumber } = n.callFrame;
    const file = url
      ? url
          .replace(/^file:\/\//, '')
          .replace(/^.*\/node_modules\//, 'node_modules/')
          .replace(/^.*\/dist\//, 'dist/')
      : '';
    return `${functionName || '(anonymous)'}${file ? ` ${file}:${lineNumber + 1}` : ''}`;
  };
  const bucketOf = (n) => {
    const { url, functionName } = n.callFrame;
    if (!url) return functionName.startsWith('(') ? functionName : '(native / V8 builtins)';
    if (url.startsWith('node:')) return 'node: internals';
    const m = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
    if (m) return `node_modules/${m[1]}`;
    if (url.includes('/dist/')) return 'app bundle (' + url.replace(/^.*\/dist\//, 'dist/') + ')';
    return url.replace(/^file:\/\//, '');
  };

  const selfByFn = new Map();
  const selfByBucket = new Map();
  for (const [id, us] of self) {
    const n = nodes.get(id);
    selfByFn.set(keyOf(n), (selfByFn.get(keyOf(n)) ?? 0) + us);
    selfByBucket.set(bucketOf(n), (selfByBucket.get(bucketOf(n)) ?? 0) + us);
  }

  // Inclusive time, counting each function once per stack (recursion-safe).
  const subtree = new Map();
  const sizeOf = (id) => {
    if (subtree.has(id)) return subtree.get(id);
    const n = nodes.get(id);
    let t = self.get(id) ?? 0;
    for (const c of n.children ?? []) t += sizeOf(c);
    subtree.set(id, t);
    return t;
  };
  const rootId = profile.nodes[0].id;
  sizeOf(rootId);
  const inclusive = new Map();
  const active = new Map();
  const stack = [[rootId, false]];
  while (stack.length) {
    const [id, leaving] = stack.pop();
    const key = keyOf(nodes.get(id));
    if (leaving) {
      active.set(key, active.get(key) - 1);
      continue;
    }
    if (!active.get(key)) inclusive.set(key, (inclusive.get(key) ?? 0) + subtree.get(id));
    active.set(key, (active.get(key) ?? 0) + 1);
    stack.push([id, true]);
    for (const c of nodes.get(id).children ?? []) stack.push([c, false]);
  }

  const rank = (m) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, ms: us / 1000, pct: (100 * us) / total }));
  return {
    totalMs: total / 1000,
    idleMs: idle / 1000,
    self: rank(selfByFn),
    inclusive: rank(new Map([...inclusive].filter(([k]) => !k.startsWith('(root)')))),
    buckets: rank(selfByBucket),
  };
}

export function printSummary(s) {
  const line = (r) => `${r.pct.toFixed(1).padStart(5)} %  ${r.ms.toFixed(0).padStart(7)} ms  ${r.name}`;
  return [
    `Busy (sampled, excluding idle): ${s.totalMs.toFixed(0)} ms; idle: ${s.idleMs.toFixed(0)} ms`,
    '',
    'Self time by package:',
    ...s.buckets.map(line),
    '',
    'Self time by function:',
    ...s.self.map(line),
    '',
    'Inclusive time by function:',
    ...s.inclusive.map(line),
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { top: { type: 'string', default: '25' } },
  });
  if (!positionals[0]) {
    console.error('usage: node tools/bench/cpuprofile-summary.mjs <file.cpuprofile> [--top 25]');
    process.exit(2);
  }
  const windowFile = `${positionals[0]}.window.json`;
  const window = existsSync(windowFile) ? JSON.parse(readFileSync(windowFile, 'utf8')) : undefined;
  if (window) console.log(`(samples of the measured window only, from ${windowFile})\n`);
  console.log(
    printSummary(
      summarizeProfile(JSON.parse(readFileSync(positionals[0], 'utf8')), Number(values.top), window),
    ),
  );
}
