#!/usr/bin/env node
// `npm run tessera -- <command>`: runs the admin CLI (apps/cli) from its TypeScript sources,
// compiled on the fly by swc, so it works right after `npm ci` with no build step.
import { spawnSync } from 'node:child_process';

const root = new URL('../..', import.meta.url).pathname;
const run = spawnSync(process.execPath, ['-r', '@swc-node/register', `${root}apps/cli/src/main.ts`, ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { SWC_NODE_PROJECT: `${root}apps/cli/tsconfig.app.json`, ...process.env },
});
process.exit(run.status ?? 1);
