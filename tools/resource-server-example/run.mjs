#!/usr/bin/env node
// `node tools/resource-server-example/run.mjs`: runs the example API from its TypeScript source,
// compiled on the fly by swc (as tools/scripts/tessera.mjs runs the CLI), with the workspace's
// path aliases, so it works right after `npm ci` with no build step.
import { spawn } from 'node:child_process';

const here = new URL('.', import.meta.url).pathname;
const child = spawn(process.execPath, ['-r', '@swc-node/register', `${here}main.ts`], {
  stdio: 'inherit',
  env: { SWC_NODE_PROJECT: `${here}tsconfig.json`, ...process.env },
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code) => process.exit(code ?? 0));
