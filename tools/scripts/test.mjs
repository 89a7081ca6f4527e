#!/usr/bin/env node
// `npm test`: lint, type-check and every test suite in the workspace, then one summary line.
// With DATABASE_URL and REDIS_URL set (CI sets both), the storage, queue and e2e suites also
// run against PostgreSQL and Redis; without them they run on the embedded defaults only.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;
const results = join(root, 'tmp/test-results', String(process.pid));
rmSync(results, { recursive: true, force: true });

// The portal's browser tests need Debian's chromium (and nginx, which serves the portal build
// beside the platform in them). CI installs both and must run them; elsewhere they are skipped
// with a line saying so, like the PostgreSQL and Redis suites.
const browserTools = [process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', '/usr/sbin/nginx'];
const canRunBrowserTests = browserTools.every((tool) => existsSync(tool));
// The cluster's fault and soak tests (tools/chaos) start PostgreSQL, Redis and nginx of their own
// from Debian's packages; they run alone after everything else, so that their load and their
// faults never share the machine with another suite.
const clusterTools = ['/usr/sbin/nginx', '/usr/bin/redis-server'];
const canRunCluster = clusterTools.every((tool) => existsSync(tool)) && existsSync('/usr/lib/postgresql');
const missing = [
  !process.env.DATABASE_URL && 'PostgreSQL store, events and e2e suites (set DATABASE_URL=postgres://…)',
  !process.env.REDIS_URL && 'BullMQ queue and Redis broadcast suites (set REDIS_URL=redis://…)',
  !canRunBrowserTests && !process.env.CI && "the portal's browser tests (install Debian's chromium and nginx-light)",
  !canRunCluster && !process.env.CI && "the cluster's fault and soak tests (install Debian's postgresql, redis-server and nginx-light)",
].filter(Boolean);
if (missing.length) console.log(`Not run on this machine: ${missing.join('; ')}. .ci/run provides all of them.`);

const args = ['nx', 'run-many', '-t', 'lint', 'typecheck', 'test', 'e2e', '--parallel=2', '--outputStyle=stream', '--exclude=chaos'];
// Without the browser and nginx, the browser suite's project is left out.
if (!canRunBrowserTests && !process.env.CI) args.push('--exclude=portal-e2e');
// Results of suites that talk to external services must not come from a stale cache in CI.
if (process.env.CI) args.push('--skip-nx-cache');
const env = { NX_DAEMON: 'false', ...process.env, TESSERA_TEST_RESULTS_DIR: results };
const main = spawnSync('npx', args, { cwd: root, stdio: 'inherit', env });
let chaos = { status: 0 };
if (canRunCluster || process.env.CI) {
  const chaosArgs = ['nx', 'run-many', '-p', 'chaos', '-t', 'lint', 'typecheck', 'e2e', '--parallel=1', '--outputStyle=stream', ...(process.env.CI ? ['--skip-nx-cache'] : [])];
  chaos = spawnSync('npx', chaosArgs, { cwd: root, stdio: 'inherit', env });
}
const run = { status: main.status === 0 ? chaos.status : main.status };

let passed = 0;
let failed = 0;
let skipped = 0;
if (existsSync(results)) {
  for (const file of readdirSync(results)) {
    const r = JSON.parse(readFileSync(join(results, file), 'utf8'));
    passed += r.passed;
    failed += r.failed;
    skipped += r.skipped;
  }
}
const status = run.status ?? 1;
if (status !== 0 && failed === 0) failed = 1; // lint, type or build failures count as a failure
console.log(`\nTests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
rmSync(results, { recursive: true, force: true });
process.exit(status);
