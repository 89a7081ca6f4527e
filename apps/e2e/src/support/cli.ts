import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import type { RunningPlatform } from './platform';

const ROOT = resolve(__dirname, '../../../..');

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * `npm run tessera -- …` against a running platform, as an operator runs it: from the platform's
 * public origin and its data directory only. Asynchronous on purpose (not spawnSync): this
 * process's own keep-alive sockets to the platform must see the server close them while the CLI
 * runs, or the next fetch reuses a closed one.
 */
export function runCli(platform: RunningPlatform, args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'tools/scripts/tessera.mjs'), ...args], {
      env: { PATH: process.env['PATH'] ?? '', TESSERA_URL: platform.issuer, TESSERA_DATA_DIR: platform.dataDir, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 60_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.once('error', reject);
    child.once('close', (status) => resolvePromise({ status, stdout, stderr }));
  });
}
