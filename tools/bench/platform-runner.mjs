// What the benchmarks of the built platform on each queue driver share (backchannel-logout.mjs,
// revocations.mjs): the command line, the platform started once per driver (the embedded
// in-process queue; BullMQ on a private redis-server), sequential rounds with their run-queue
// wait, and the first lines of their docs section. Each script keeps only its scenario.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { machineRecord, redisVersion, speedLine } from './machine.mjs';
import { redisServerArgv, ROOT, startTessera } from './peers.mjs';
import {
  exitedUnexpectedly,
  freePort,
  guardRun,
  hasCommand,
  ignore,
  pinBenchProcess,
  schedstat,
  SERVER_CPU,
  sleep,
  start,
  stop,
  stopStarted,
} from './proc.mjs';

export const QUEUE_DRIVERS = [
  { id: 'in-process', label: 'embedded in-process queue' },
  { id: 'redis', label: 'BullMQ on Redis' },
];

const DATABASE = 'SQLite (a fresh temp data directory; no DATABASE_URL)';

// --- the command line ---------------------------------------------------------------------------

/**
 * Parses and checks the command line of `script`: the integer options in `ints` (name →
 * [default, min, max], checked in that order; their --help lines are `optionsHelp`), then
 * --drivers (its default described by `driversDefault`), --no-docs (which names the docs
 * `section`), --docs-file, --json and --help. Bad input prints why and exits 2. Returns the parsed
 * `opts`, the integers by name in `n`, the drivers, where the docs section goes, the command line
 * to record, and `log` (lines prefixed `[<tag> HH:MM:SS]`).
 */
export function parseDriverArgs({ script, tag, ints, optionsHelp, driversDefault, section }) {
  const help = `Usage: node ${script} [options]

${optionsHelp}
  --drivers <list>    comma list of ${QUEUE_DRIVERS.map((d) => d.id).join(', ')} ${driversDefault}
  --no-docs           print only; do not write the ${section} section of docs/benchmarks.md
  --docs-file <path>  write the section into this file instead of docs/benchmarks.md (to check the output)
  --json <path>       where to write the raw results (default: a file in the temp dir)
  --help              this text

Needs the built platform (NX_DAEMON=false npx nx run platform:build) and, for the redis driver,
redis-server and redis-cli on PATH (a private instance on a free 127.0.0.1 port, no persistence).
`;
  let opts;
  try {
    ({ values: opts } = parseArgs({
      options: {
        ...Object.fromEntries(Object.keys(ints).map((name) => [name, { type: 'string' }])),
        drivers: { type: 'string' },
        'no-docs': { type: 'boolean', default: false },
        'docs-file': { type: 'string' },
        json: { type: 'string' },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (e) {
    console.error(`${e.message}\n\n${help}`);
    process.exit(2);
  }
  if (opts.help) {
    process.stdout.write(help);
    process.exit(0);
  }
  const usage = (msg) => {
    console.error(msg);
    process.exit(2);
  };
  const n = {};
  for (const [name, [def, min, max]] of Object.entries(ints)) {
    n[name] = Number(opts[name] ?? def);
    if (!Number.isInteger(n[name]) || n[name] < min || n[name] > max)
      usage(`--${name} must be an integer from ${min} to ${max}`);
  }
  const drivers = opts.drivers
    ? opts.drivers
        .split(',')
        .map((id) => QUEUE_DRIVERS.find((d) => d.id === id.trim()) ?? usage(`unknown driver ${id}`))
    : QUEUE_DRIVERS;
  return {
    opts,
    n,
    drivers,
    writeDocs: !opts['no-docs'],
    docsFile: opts['docs-file'] ?? join(ROOT, 'docs/benchmarks.md'),
    command: ['node', script, ...process.argv.slice(2)].join(' '),
    log: (...a) => console.log(`[${tag} ${new Date().toISOString().slice(11, 19)}]`, ...a),
  };
}

// --- Redis: a private throw-away instance on a free loopback port -----------------------------

/**
 * redis-server in the foreground, as this script's child (stopped with the rest), on a free
 * 127.0.0.1 port, without persistence; it refuses a port where something already answers.
 */
export async function startPrivateRedis({ cpu, useTaskset }) {
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
  const proc = start(redisServerArgv(port), {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    cpu,
    useTaskset,
  });
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

// --- the platform, once per driver ----------------------------------------------------------------

/**
 * What a platform benchmark sets up before its scenario: this script pinned to BENCH_CPU (`bench`
 * says what runs there; Tessera and redis-server go to SERVER_CPU), the run's machine record, the
 * platform runner, and the run's guard (guardRun, watchdog after `budgetMs`), whose cleanup calls
 * `stopFirst()`, stops the platform and every child still running, then awaits `stopLast()`.
 */
export function platformBench({ tag, log, bench, budgetMs, stopFirst = ignore, stopLast = ignore }) {
  const useTaskset = pinBenchProcess({
    log,
    server: 'Tessera (and redis-server)',
    bench,
    unpinned: 'nothing is pinned',
  });
  const record = machineRecord({ pinned: useTaskset });
  const platform = platformRunner({ useTaskset, log });
  const guard = guardRun({
    tag,
    log,
    budgetMs,
    async stopAll() {
      stopFirst();
      await platform.stop({ quietly: true });
      await stopStarted();
      await stopLast();
    },
  });
  return { record, platform, guard };
}

/**
 * The built platform on SERVER_CPU, one queue driver at a time: SQLite in a fresh data directory,
 * its own authentication service (no claims server), and for the redis driver a private
 * redis-server (REDIS_URL) on the same CPU. `tessera` and `redis` are what is running now.
 */
export function platformRunner({ useTaskset, log }) {
  const runner = {
    tessera: undefined,
    redis: undefined,

    /** Starts redis-server (for the redis driver), then Tessera with `env`; logs both. */
    async start(driver, env) {
      if (driver.id === 'redis') {
        runner.redis = await startPrivateRedis({ cpu: SERVER_CPU, useTaskset });
        env = { ...env, REDIS_URL: runner.redis.url };
        log(
          `started redis-server ${redisVersion() ?? ''} (pid ${runner.redis.pid}) on 127.0.0.1:${runner.redis.port}, no persistence`,
        );
      }
      runner.tessera = await startTessera({ cpu: SERVER_CPU, useTaskset, claimsServer: false, env });
      log(
        `started Tessera (pid ${runner.tessera.pid}): database ${DATABASE}, queue ${driver.id === 'redis' ? `BullMQ on ${runner.redis.url}` : 'in-process (no REDIS_URL)'}`,
      );
      return { tessera: runner.tessera, redis: runner.redis };
    },

    /** Stops Tessera, then redis-server; with `quietly` (cleanup), failures are ignored. */
    async stop({ quietly = false } = {}) {
      const guard = (p) => (quietly ? p?.catch(ignore) : p);
      await guard(runner.tessera?.stop());
      runner.tessera = undefined;
      await guard(runner.redis?.stop());
      runner.redis = undefined;
    },

    /** The first fields of a driver's result: which driver, on which database and queue. */
    describe: (driver) => ({
      driver: driver.id,
      driverLabel: driver.label,
      database: DATABASE,
      queue:
        driver.id === 'redis'
          ? `BullMQ on a private redis-server ${redisVersion() ?? ''} (127.0.0.1, no persistence)`
          : 'in-process (no REDIS_URL)',
    }),

    /**
     * For each driver in turn: starts the platform with `env`, runs `measure(driver, { tessera,
     * redis })` and stops it; the result gets `wallSeconds` (all of it, start-up included), and
     * `summary(result)` is logged. A failure names the driver (after Tessera's last output, when
     * it was running); so do the `problems(result)` found, as "the <what> are wrong".
     */
    async measureEach(drivers, { env, measure, summary, problems, what }) {
      const results = [];
      for (const driver of drivers) {
        const t = performance.now();
        let r;
        try {
          r = await measure(driver, await runner.start(driver, env));
          await runner.stop();
        } catch (e) {
          if (runner.tessera)
            console.error(`--- last output of Tessera ---\n${runner.tessera.output().slice(-4000)}`);
          throw new Error(`${driver.id}: ${e.message}`, { cause: e });
        }
        r.wallSeconds = (performance.now() - t) / 1000;
        results.push(r);
        log(summary(r));
        const found = problems(r);
        if (found.length) throw new Error(`${driver.id}: the ${what} are wrong:\n  - ${found.join('\n  - ')}`);
      }
      return results;
    },
  };
  return runner;
}

// --- rounds ---------------------------------------------------------------------------------------

/**
 * `warmup` unmeasured rounds, then `rounds` measured ones, one after another: `measureRound({ k,
 * warm, n, label })` with k counting from 1 over all of them, n the measured round's number (0 in
 * the warm-up) and label `warm-up <k>` or `round <n>`. Stops as soon as a process this script started
 * has exited. Returns how long the measured rounds took and the share of that time `pid`'s main
 * thread was runnable but waiting for its CPU (NaN where /proc/<pid>/schedstat is missing).
 */
export async function runRounds({ warmup, rounds, pid, measureRound }) {
  let schedBefore;
  let measuredStartedAt;
  for (let k = 1; k <= warmup + rounds; k++) {
    if (exitedUnexpectedly.length)
      throw new Error(`a process exited during the benchmark: ${JSON.stringify(exitedUnexpectedly)}`);
    const warm = k <= warmup;
    if (k === warmup + 1) {
      schedBefore = schedstat(pid);
      measuredStartedAt = performance.now();
    }
    await measureRound({ k, warm, n: warm ? 0 : k - warmup, label: warm ? `warm-up ${k}` : `round ${k - warmup}` });
  }
  const measuredMs = performance.now() - measuredStartedAt;
  const schedAfter = schedstat(pid);
  return {
    runqWait: schedBefore && schedAfter ? (schedAfter.wait - schedBefore.wait) / 1e6 / measuredMs : NaN,
    measuredSeconds: measuredMs / 1000,
  };
}

// --- docs -----------------------------------------------------------------------------------------

/**
 * The "Latest run" lines before the load: the command, the date with the commit and the build, the
 * machine and its load. `load` is the script's own line about the load; the drivers' database and
 * queue follow it.
 */
export function latestRunLines({ command, startedAt, machine, load, results }) {
  return `- **Command:** \`${command}\` (from the repository root)
- **Date:** ${startedAt.toISOString().replace('T', ' ').slice(0, 16)} UTC, Tessera at ${machine.git}, \`dist/apps/platform/main.js\` built ${machine.tesseraBuild} UTC${machine.rebuiltDuringRun ? ' (**rebuilt during the run**)' : ''}
- **Machine:** ${machine.nproc} CPUs (\`nproc\`), ${machine.cpuModel}, Linux ${machine.kernel}, Node.js ${machine.node}${machine.pinned ? ', Tessera and redis-server pinned to CPU 0, the benchmark to CPU 1' : ' — **not pinned** (taskset missing or 1 CPU)'}; a shared machine
- **Machine load:** load average ${machine.loadavg.start} at the start, ${machine.loadavg.end} at the end (1/5/15 min)
${speedLine(machine)}
- **Load:** ${load}
${results.map((r) => `- **${r.driverLabel}:** database ${r.database}; queue ${r.queue}`).join('\n')}`;
}
