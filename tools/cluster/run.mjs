#!/usr/bin/env node
// `npm run cluster`: builds the three services and the portal (Nx's cache makes this quick when
// nothing changed), then runs tools/cluster/src/main.ts, compiled on the fly by swc with the
// workspace's path aliases (as tools/resource-server-example/run.mjs does).
import { spawn, spawnSync } from 'node:child_process';

const root = new URL('../..', import.meta.url).pathname;
const here = new URL('.', import.meta.url).pathname;
const build = spawnSync('npx', ['nx', 'run-many', '-t', 'build', '-p', 'token-service-app', 'auth-service-app', 'admin-api-app', 'portal', '--outputStyle=static'], {
  cwd: root,
  stdio: 'inherit',
  env: { NX_DAEMON: 'false', ...process.env },
});
if (build.status !== 0) process.exit(build.status ?? 1);
const child = spawn(process.execPath, ['-r', '@swc-node/register', `${here}src/main.ts`, ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
  env: { SWC_NODE_PROJECT: `${here}tsconfig.lib.json`, ...process.env },
});
// The cluster stops its processes on SIGINT/SIGTERM itself; pass them on and wait.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code) => process.exit(code ?? 0));
