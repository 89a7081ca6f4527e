import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureSecretFile, randomSecret } from './data-dir-secrets';

describe('ensureSecretFile', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'tessera-secrets-'));
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('creates the file with the generated value, readable by the owner only (0600)', () => {
    const result = ensureSecretFile(root, 'internal.secret', () => 'generated-secret');

    expect(result).toEqual({ value: 'generated-secret', path: join(root, 'internal.secret'), created: true });
    expect(readFileSync(result.path, 'utf8')).toBe('generated-secret\n');
    expect(statSync(result.path).mode & 0o777).toBe(0o600);
  });

  it('creates a missing data directory, closed to other users (0700)', () => {
    const dataDir = join(root, 'nested', 'var');

    const result = ensureSecretFile(dataDir, 'master.key', () => 'k');

    expect(result.path).toBe(join(dataDir, 'master.key'));
    expect(statSync(dataDir).mode & 0o077).toBe(0);
  });

  it('returns the same value on the next call without generating a new one', () => {
    const first = ensureSecretFile(root, 'master.key', () => randomSecret());
    const generate = jest.fn(() => 'should-not-be-used');

    const second = ensureSecretFile(root, 'master.key', generate);

    expect(second).toEqual({ value: first.value, path: first.path, created: false });
    expect(generate).not.toHaveBeenCalled();
  });

  it('never overwrites a file that already exists, and reads it without its trailing newline', () => {
    const path = join(root, 'registration.token');
    writeFileSync(path, 'operator-provided-token\n', { mode: 0o600 });

    const result = ensureSecretFile(root, 'registration.token', () => 'generated');

    expect(result).toEqual({ value: 'operator-provided-token', path, created: false });
    expect(readFileSync(path, 'utf8')).toBe('operator-provided-token\n');
  });

  it('keeps the secret another process wrote first when both start at once', () => {
    const path = join(root, 'internal.secret');

    // The other process creates the file after this one found it missing, before this one writes.
    const result = ensureSecretFile(root, 'internal.secret', () => {
      writeFileSync(path, 'winner\n', { mode: 0o600 });
      return 'loser';
    });

    expect(result).toEqual({ value: 'winner', path, created: false });
    expect(readFileSync(path, 'utf8')).toBe('winner\n');
  });

  it('refuses an empty secret file instead of handing out an empty secret', () => {
    const path = join(root, 'internal.secret');
    writeFileSync(path, '\n', { mode: 0o600 });

    expect(() => ensureSecretFile(root, 'internal.secret', () => 'generated')).toThrow(`${path} is empty`);
    expect(readFileSync(path, 'utf8')).toBe('\n');
  });

  it('keeps different secrets in different files', () => {
    const a = ensureSecretFile(root, 'a.secret', () => 'value-a');
    const b = ensureSecretFile(root, 'b.secret', () => 'value-b');

    expect(ensureSecretFile(root, 'a.secret', () => 'x').value).toBe(a.value);
    expect(ensureSecretFile(root, 'b.secret', () => 'x').value).toBe(b.value);
  });
});

describe('randomSecret', () => {
  it('encodes the requested number of random bytes in base64url', () => {
    expect(Buffer.from(randomSecret(), 'base64url')).toHaveLength(32);
    expect(randomSecret(48)).toMatch(/^[A-Za-z0-9_-]{64}$/);
  });

  it('never returns the same value twice', () => {
    expect(new Set(Array.from({ length: 50 }, () => randomSecret())).size).toBe(50);
  });
});
