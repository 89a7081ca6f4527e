#!/usr/bin/env node
// `npm start`: builds the platform and runs it on the embedded defaults (SQLite in var/,
// in-process queue, one public port). Settings come from the environment (see README).
import { spawnSync, spawn } from 'node:child_process';

const root = new URL('../..', import.meta.url).pathname;
const build = spawnSync('npx', ['nx', 'run', 'platform:build', '--outputStyle=static'], {
  cwd: root,
  stdio: ['ignore', 'ignore', 'inherit'],
  env: { NX_DAEMON: 'false', ...process.env },
});
if (build.status !== 0) {
  console.error('Building the platform failed: run `npx nx run platform:build` to see why.');
  process.exit(build.status ?? 1);
}
// A fixed glibc mmap threshold gives argon2's 19 MiB buffers back after each hash (docs/operations.md).
const child = spawn(process.execPath, ['--enable-source-maps', 'dist/apps/platform/main.js'], {
  cwd: root,
  stdio: 'inherit',
  env: { MALLOC_MMAP_THRESHOLD_: '131072', ...process.env },
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code) => process.exit(code ?? 0));
