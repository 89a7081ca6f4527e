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

const missing = [
  !process.env.DATABASE_URL && 'PostgreSQL store, events and e2e suites (set DATABASE_URL=postgres://…)',
  !process.env.REDIS_URL && 'BullMQ queue and Redis broadcast suites (set REDIS_URL=redis://…)',
].filter(Boolean);
if (missing.length) console.log(`Not run on this machine: ${missing.join('; ')}. .ci/run sets both.`);

const args = ['nx', 'run-many', '-t', 'lint', 'typecheck', 'test', 'e2e', '--parallel=2', '--outputStyle=stream'];
// Results of suites that talk to external services must not come from a stale cache in CI.
if (process.env.CI) args.push('--skip-nx-cache');
const run = spawnSync('npx', args, { cwd: root, stdio: 'inherit', env: { NX_DAEMON: 'false', ...process.env, TESSERA_TEST_RESULTS_DIR: results } });

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
