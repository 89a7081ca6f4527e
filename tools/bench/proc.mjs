// Process helpers for the benchmarks: CPU affinity, CPU time from /proc, child processes, and how a
// benchmark run ends (signals, watchdog, cleanup).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism } from 'node:os';

export const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

export function hasCommand(cmd, args = ['--version']) {
  const r = spawnSync(cmd, args, { stdio: 'ignore' });
  return !r.error;
}

/** utime, stime, cutime, cstime and ppid of one process, or undefined when it is gone. */
function readStat(pid) {
  let text;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // Field 2 (comm) is in parentheses and may contain spaces: split after the last ')'.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state), so field N is rest[N - 3].
  return {
    ppid: Number(rest[4 - 3]),
    utime: Number(rest[14 - 3]),
    stime: Number(rest[15 - 3]),
    cutime: Number(rest[16 - 3]),
    cstime: Number(rest[17 - 3]),
  };
}

/**
 * CPU seconds (user + system, all threads) used so far by a process, its reaped children and its
 * live descendants. A daemon that re-parented itself to init (redis-server --daemonize) has to be
 * passed on its own.
 */
export function cpuSeconds(rootPid) {
  const root = readStat(rootPid);
  if (!root) throw new Error(`process ${rootPid} is gone`);
  let ticks = root.utime + root.stime + root.cutime + root.cstime;
  const children = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const st = readStat(name);
    if (!st) continue;
    if (!children.has(st.ppid)) children.set(st.ppid, []);
    children.get(st.ppid).push({ pid: Number(name), st });
  }
  const queue = [rootPid];
  while (queue.length) {
    for (const child of children.get(queue.shift()) ?? []) {
      ticks += child.st.utime + child.st.stime;
      queue.push(child.pid);
    }
  }
  return ticks / CLK_TCK;
}

/**
 * Nanoseconds the process's main thread has spent on a CPU and waiting on a run queue (runnable
 * but not running: CPU contention), from /proc/<pid>/schedstat; undefined where unavailable.
 */
export function schedstat(pid) {
  try {
    const [run, wait] = readFileSync(`/proc/${pid}/schedstat`, 'utf8').trim().split(/\s+/).map(Number);
    return { run, wait };
  } catch {
    return undefined;
  }
}

/** Pins every thread of `pid` to `cpus` (e.g. '1'); returns false when taskset is unavailable. */
export function pin(pid, cpus) {
  const r = spawnSync('taskset', ['-a', '-cp', cpus, String(pid)], { encoding: 'utf8' });
  return !r.error && r.status === 0;
}

/** The CPU the servers under test are pinned to, and the one the benchmark script runs on. */
export const SERVER_CPU = 0;
export const BENCH_CPU = 1;

/**
 * Pins this process to BENCH_CPU when taskset is there and the machine has 2 CPUs or more, and
 * logs the split (`pinned: <server> on CPU 0, <bench> on CPU 1`) or a warning ending in `unpinned`.
 * Returns whether the servers are to be pinned too (start's `useTaskset`).
 */
export function pinBenchProcess({ log, server, bench, unpinned }) {
  const nproc = availableParallelism();
  const useTaskset = hasCommand('taskset', ['--version']) && nproc >= 2;
  if (useTaskset) {
    if (!pin(process.pid, String(BENCH_CPU))) throw new Error('taskset could not pin the bench process');
    log(`pinned: ${server} on CPU ${SERVER_CPU}, ${bench} on CPU ${BENCH_CPU}`);
  } else {
    log(
      `WARNING: ${nproc < 2 ? 'fewer than 2 CPUs' : 'taskset not found'}: ${unpinned}; numbers will be noisier`,
    );
  }
  return useTaskset;
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Spawns `argv` (optionally under `taskset -c <cpu>`, which execs, so the pid is the program's),
 * keeps the last 64 KiB of its output and records it in `started` so it can be stopped.
 */
export function start(argv, { env, cpu, useTaskset }) {
  const cmd = useTaskset && cpu !== undefined ? ['taskset', '-c', String(cpu), ...argv] : argv;
  const child = spawn(cmd[0], cmd.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (d) => {
    output += d;
    if (output.length > 65536) output = output.slice(-65536);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  started.add(child);
  const stopping = { value: false };
  child.once('exit', (code, signal) => {
    started.delete(child);
    if (!stopping.value) {
      exitedUnexpectedly.push({ argv: cmd.join(' '), code, signal });
      console.error(
        `\n[bench] ${cmd.slice(-1)[0]} (pid ${child.pid}) exited unexpectedly: code ${code}, signal ${signal}\n--- its last output ---\n${output.slice(-4000)}\n---`,
      );
    }
  });
  child.stopping = stopping;
  return { child, output: () => output };
}

/** Children this process started and that have not exited yet. */
export const started = new Set();
/** Children that exited without being asked to. */
export const exitedUnexpectedly = [];

export function stop(child, graceMs = 5000) {
  if (child.stopping) child.stopping.value = true;
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Stops every child still in `started`, one after another (2 s grace each), ignoring failures. */
export async function stopStarted() {
  for (const child of [...started]) await stop(child, 2000).catch(ignore);
}

/**
 * How a benchmark run ends, whichever way: `cleanup()` calls `stopAll` once (everything the script
 * started, in its order; end it with stopStarted()). A SIGINT or SIGTERM logs `<signal>: stopping
 * <servers>`, cleans up and exits 130; the watchdog, after `budgetMs`, says so, cleans up and exits
 * 3. `run(main)` runs the benchmark, prints a failure as `[<tag>] FAILED: <stack>`, cleans up,
 * stops the watchdog and exits (0, or 1 after a failure).
 */
export function guardRun({ tag, log, budgetMs, stopAll, servers = 'the servers' }) {
  let cleaning;
  const cleanup = () => (cleaning ??= stopAll());
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.on(sig, async () => {
      log(`${sig}: stopping ${servers}`);
      await cleanup();
      process.exit(130);
    });
  }
  const watchdog = setTimeout(async () => {
    console.error(`[${tag}] watchdog: still running after ${Math.round(budgetMs / 1000)} s, giving up`);
    await cleanup();
    process.exit(3);
  }, budgetMs);
  return {
    cleanup,
    async run(main) {
      let exitCode = 0;
      try {
        await main();
      } catch (e) {
        console.error(`\n[${tag}] FAILED: ${e.stack ?? e}`);
        exitCode = 1;
      } finally {
        await cleanup();
        clearTimeout(watchdog);
      }
      process.exit(exitCode);
    },
  };
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** For `.catch(ignore)` during cleanup, where a failure to stop must not hide the real error. */
export const ignore = () => undefined;
