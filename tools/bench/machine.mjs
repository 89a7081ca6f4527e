// What a benchmark records about where it ran, for its raw results and its docs section: the
// machine, its load, the commit and the build under test.
import { execFileSync, spawnSync } from 'node:child_process';
import { generateKeyPairSync, sign } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { ROOT, TESSERA_MAIN } from './peers.mjs';

// Read when this module is loaded, i.e. before the script pins itself to one CPU (after that,
// availableParallelism() counts only the CPUs this process may use).
const NPROC = availableParallelism();

const cpuModel = () => {
  const info = readFileSync('/proc/cpuinfo', 'utf8');
  const m =
    info.match(/^model name\s*:\s*(.+)$/m) ??
    info.match(/^Hardware\s*:\s*(.+)$/m) ??
    info.match(/^CPU part\s*:\s*(.+)$/m);
  return m ? m[1].trim() : 'unknown';
};

/** The checkout's short commit, "(with uncommitted changes)" when a tracked file differs from it. */
function gitRevision() {
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
}

/**
 * When dist/apps/platform/main.js was built (UTC, to the second), or 'missing'. Other work may
 * rebuild dist/ while a benchmark runs: a server keeps running the build it started with.
 */
const buildTime = () => {
  try {
    return statSync(TESSERA_MAIN).mtime.toISOString().replace('T', ' ').slice(0, 19);
  } catch {
    return 'missing';
  }
};

const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

/** The installed version of an npm package of the workspace. */
export const packageVersion = (pkg) =>
  JSON.parse(readFileSync(join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')).version;

/** redis-server's version (e.g. 7.0.15), or undefined when it is not installed. */
export function redisVersion() {
  const r = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  return r.error ? undefined : (/v=(\S+)/.exec(r.stdout)?.[1] ?? r.stdout.trim());
}

/**
 * How fast this machine computes right now: the CPU time of one RSA-2048 signature (node:crypto,
 * the median of 5 batches of 20), in µs. The machines are shared, and the same build's figures
 * move with it from day to day (about 350 µs on a good day, 900–1,000 on a bad one): runs of different
 * days compare through it, runs of the same day through their ratios.
 */
let probeKey;
export function rsaSignMicros() {
  probeKey ??= generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const data = Buffer.from('tessera machine speed probe');
  sign('sha256', data, probeKey);
  const batches = [];
  for (let b = 0; b < 5; b++) {
    const before = process.cpuUsage();
    for (let i = 0; i < 20; i++) sign('sha256', data, probeKey);
    const used = process.cpuUsage(before);
    batches.push((used.user + used.system) / 20);
  }
  return Math.round(batches.sort((x, y) => x - y)[2]);
}

/** The docs line that says how fast the machine was during a run (see rsaSignMicros). */
export const speedLine = (machine) =>
  `- **Machine speed:** one RSA-2048 signature took ${machine.rsaSignUs.start} µs of CPU at the start and ${machine.rsaSignUs.end} µs at the end (\`node:crypto\`, the benchmark's own CPU; lower is faster: compare runs of different days through it)`;

/**
 * A run's record, begun when the run starts: `startedAt`, and the commit, the build of the platform
 * (unless `build: false`) and the load average at that moment. `finish(extra)` ends it and returns
 * the machine: nproc, CPU model, Node.js, kernel, `pinned`, then `extra`'s fields (versions of
 * peers, parameters), the commit, the build and whether it was rebuilt during the run, the load
 * average and the machine's speed (`rsaSignUs`) at the start and now. With `rebuilt`, a rebuild is logged as a warning: `WARNING:
 * <main.js> was rebuilt during the run; ${rebuilt(buildAtStart)}`.
 */
export function machineRecord({ pinned, build = true }) {
  const startedAt = new Date();
  const git = gitRevision();
  const builtAtStart = build ? buildTime() : undefined;
  const loadAtStart = loadavg();
  const rsaAtStart = rsaSignMicros();
  return {
    startedAt,
    finish(extra = {}, { log, rebuilt } = {}) {
      const machine = {
        nproc: NPROC,
        cpuModel: cpuModel(),
        node: process.version,
        kernel: execFileSync('uname', ['-r'], { encoding: 'utf8' }).trim(),
        pinned,
        ...extra,
        git,
        ...(build ? { tesseraBuild: builtAtStart, rebuiltDuringRun: buildTime() !== builtAtStart } : {}),
        loadavg: { start: loadAtStart, end: loadavg() },
        rsaSignUs: { start: rsaAtStart, end: rsaSignMicros() },
      };
      log?.(`machine speed: one RSA-2048 signature took ${machine.rsaSignUs.start} µs of CPU at the start, ${machine.rsaSignUs.end} µs at the end`);
      if (machine.rebuiltDuringRun && rebuilt)
        log(`WARNING: ${TESSERA_MAIN} was rebuilt during the run; ${rebuilt(builtAtStart)}`);
      return machine;
    },
  };
}

