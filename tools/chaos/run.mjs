#!/usr/bin/env node
// `node tools/chaos/run.mjs capacity [options]`: the cluster's capacity per CPU-second
// (src/capacity.ts), compiled on the fly by swc with the workspace's path aliases. Build the apps
// first (`npm run cluster` does, or `npx nx run-many -t build -p token-service-app auth-service-app admin-api-app portal`).
import { spawn } from 'node:child_process';

const here = new URL('.', import.meta.url).pathname;
const [command, ...args] = process.argv.slice(2);
const scripts = { capacity: 'src/capacity.ts' };
if (!scripts[command]) {
  console.error(`usage: node tools/chaos/run.mjs ${Object.keys(scripts).join('|')} [options]`);
  process.exit(2);
}
const child = spawn(process.execPath, ['-r', '@swc-node/register', `${here}${scripts[command]}`, ...args], {
  stdio: 'inherit',
  env: { SWC_NODE_PROJECT: `${here}tsconfig.lib.json`, ...process.env },
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code) => process.exit(code ?? 0));
