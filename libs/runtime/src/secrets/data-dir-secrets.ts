import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Embedded mode generates its bootstrap secrets on first start and keeps them in the data
 * directory, readable by the owner only (0600). Callers log the file path, never the value.
 */
export function ensureSecretFile(dataDir: string, fileName: string, generate: () => string): { value: string; path: string; created: boolean } {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const path = join(dataDir, fileName);
  try {
    return { value: readSecret(path), path, created: false };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const value = generate();
  try {
    // 'wx': two processes starting at once must not overwrite each other's secret.
    writeFileSync(path, `${value}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(path, 0o600);
    return { value, path, created: true };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return { value: readSecret(path), path, created: false };
  }
}

/** An empty file (truncated, or read mid-write by a concurrent start) must never become an empty secret. */
function readSecret(path: string): string {
  const value = readFileSync(path, 'utf8').trim();
  if (!value) throw new Error(`${path} is empty: write a secret into it, or delete it to have one generated`);
  return value;
}

export const randomSecret = (bytes = 32) => randomBytes(bytes).toString('base64url');
