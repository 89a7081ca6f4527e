import { errors } from 'jose';
import { createHmac, randomBytes } from 'node:crypto';
import { MasterKeyring } from './master-key';

const newKey = () => randomBytes(32).toString('base64url');

/** Flips one bit in the given part (0 header … 4 tag) of a compact JWE. */
function tamper(jwe: string, part: number): string {
  const parts = jwe.split('.');
  const bytes = Buffer.from(parts[part], 'base64url');
  bytes[0] ^= 0x01;
  parts[part] = bytes.toString('base64url');
  return parts.join('.');
}

function headerOf(jwe: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwe.split('.')[0], 'base64url').toString('utf8'));
}

describe('MasterKeyring', () => {
  it('decrypts what it encrypted, in the same context', async () => {
    const keyring = new MasterKeyring(newKey());

    const jwe = await keyring.encrypt('signing-key-private-jwk ✓', 'signing_keys.private_jwk:k1');

    expect(await keyring.decrypt(jwe, 'signing_keys.private_jwk:k1')).toBe('signing-key-private-jwk ✓');
  });

  it('writes a dir + A256GCM JWE naming the current key and the context, without the plaintext', async () => {
    const keyring = new MasterKeyring(newKey());

    const jwe = await keyring.encrypt('plain-secret', 'ctx-1');

    expect(jwe.split('.')).toHaveLength(5);
    expect(headerOf(jwe)).toEqual({ alg: 'dir', enc: 'A256GCM', kid: keyring.currentKid, ctx: 'ctx-1' });
    expect(Buffer.from(jwe.split('.')[3], 'base64url').toString('utf8')).not.toContain('plain-secret');
  });

  it('never produces the same ciphertext twice for the same value (fresh IV each time)', async () => {
    const keyring = new MasterKeyring(newKey());

    const [a, b] = await Promise.all([keyring.encrypt('same', 'ctx'), keyring.encrypt('same', 'ctx')]);

    expect(a).not.toBe(b);
  });

  it('refuses to decrypt a value in another context than the one it was written for', async () => {
    const keyring = new MasterKeyring(newKey());
    const jwe = await keyring.encrypt('secret', 'clients.secret:client-a');

    await expect(keyring.decrypt(jwe, 'clients.secret:client-b')).rejects.toThrow('Encrypted value used outside its context');
  });

  it('still decrypts a value written under a key that has since been retired', async () => {
    const oldKey = newKey();
    const jwe = await new MasterKeyring(oldKey).encrypt('written-before-rotation', 'ctx');

    const rotated = new MasterKeyring(newKey(), [oldKey]);

    expect(await rotated.decrypt(jwe, 'ctx')).toBe('written-before-rotation');
  });

  it('encrypts under the current key after a rotation, never a retired one', async () => {
    const oldKey = newKey();
    const before = new MasterKeyring(oldKey);
    const rotated = new MasterKeyring(newKey(), [oldKey]);

    const jwe = await rotated.encrypt('new value', 'ctx');

    expect(headerOf(jwe)['kid']).toBe(rotated.currentKid);
    expect(rotated.currentKid).not.toBe(before.currentKid);
    await expect(before.decrypt(jwe, 'ctx')).rejects.toThrow(/No master key with id/);
  });

  it('reports a value written under a retired key as stale, and one under the current key as fresh', async () => {
    const oldKey = newKey();
    const oldJwe = await new MasterKeyring(oldKey).encrypt('v', 'ctx');
    const rotated = new MasterKeyring(newKey(), [oldKey]);

    expect(rotated.isStale(oldJwe)).toBe(true);
    expect(rotated.isStale(await rotated.encrypt('v', 'ctx'))).toBe(false);
  });

  it('names the prefix every value under the current key starts with, and no value under a retired key does', async () => {
    const oldKey = newKey();
    const oldJwe = await new MasterKeyring(oldKey).encrypt('v', 'ctx:a');
    const rotated = new MasterKeyring(newKey(), [oldKey]);

    expect(rotated.currentValuePrefix).toHaveLength(64);
    for (const context of ['ctx:a', 'auth-service:mfa_totp:someone', '']) {
      expect((await rotated.encrypt('secret', context)).startsWith(rotated.currentValuePrefix)).toBe(true);
    }
    expect(oldJwe.startsWith(rotated.currentValuePrefix)).toBe(false);
    expect(oldJwe.startsWith(new MasterKeyring(oldKey).currentValuePrefix)).toBe(true);
  });

  it('derives the same key id from the same key, so a restart still finds its keys', async () => {
    const key = newKey();
    const jwe = await new MasterKeyring(key).encrypt('survives restart', 'ctx');

    const restarted = new MasterKeyring(key);

    expect(restarted.isStale(jwe)).toBe(false);
    expect(await restarted.decrypt(jwe, 'ctx')).toBe('survives restart');
  });

  it('fails with a clear message when the key a value was written under is unknown (dropped too early)', async () => {
    const oldKey = newKey();
    const jwe = await new MasterKeyring(oldKey).encrypt('v', 'ctx');
    const withoutOldKey = new MasterKeyring(newKey());

    await expect(withoutOldKey.decrypt(jwe, 'ctx')).rejects.toThrow(
      `No master key with id ${headerOf(jwe)['kid']}: was a retired key dropped too early?`,
    );
  });

  it.each([
    ['ciphertext', 3],
    ['authentication tag', 4],
    ['IV', 2],
  ])('refuses a value whose %s was tampered with', async (_, part) => {
    const keyring = new MasterKeyring(newKey());
    const jwe = await keyring.encrypt('integrity matters', 'ctx');

    await expect(keyring.decrypt(tamper(jwe, part), 'ctx')).rejects.toThrow(errors.JWEDecryptionFailed);
  });

  it('refuses a value whose protected header was rewritten to another context', async () => {
    const keyring = new MasterKeyring(newKey());
    const jwe = await keyring.encrypt('secret', 'row-a');
    const header = { ...headerOf(jwe), ctx: 'row-b' };
    const forged = [Buffer.from(JSON.stringify(header)).toString('base64url'), ...jwe.split('.').slice(1)].join('.');

    await expect(keyring.decrypt(forged, 'row-b')).rejects.toThrow(errors.JWEDecryptionFailed);
  });

  it.each([
    ['16 bytes', randomBytes(16).toString('base64url')],
    ['64 bytes', randomBytes(64).toString('base64url')],
    ['nothing', ''],
  ])('refuses a master key of %s', (_, key) => {
    expect(() => new MasterKeyring(key)).toThrow('A master key must be 32 bytes');
  });

  it('refuses a retired key of the wrong length too', () => {
    expect(() => new MasterKeyring(newKey(), [randomBytes(31).toString('base64url')])).toThrow('A master key must be 32 bytes');
  });

  describe('deriveKey', () => {
    /** RFC 5869 written out with HMAC-SHA256, to check the implementation against the definition. */
    function rfc5869(ikm: Buffer, info: string): Buffer {
      const prk = createHmac('sha256', Buffer.alloc(32)).update(ikm).digest(); // empty salt = HashLen zeros
      return createHmac('sha256', prk).update(Buffer.concat([Buffer.from(info, 'utf8'), Buffer.from([1])])).digest();
    }

    it('is HKDF-SHA256 (RFC 5869) of the current master key, with the label as info: 32 bytes', () => {
      const key = newKey();

      const derived = new MasterKeyring(key).deriveKey('tessera refresh-token successor');

      expect(derived).toHaveLength(32);
      expect(derived.equals(rfc5869(Buffer.from(key, 'base64url'), 'tessera refresh-token successor'))).toBe(true);
    });

    it('derives the same key from the same master key and label, across instances (restarts and replicas)', () => {
      const key = newKey();

      expect(new MasterKeyring(key).deriveKey('a').equals(new MasterKeyring(key).deriveKey('a'))).toBe(true);
    });

    it('derives independent keys for different labels, and none of them is the master key itself', () => {
      const key = newKey();
      const keyring = new MasterKeyring(key);

      const a = keyring.deriveKey('purpose a');
      const b = keyring.deriveKey('purpose b');

      expect(a.equals(b)).toBe(false);
      expect(a.equals(Buffer.from(key, 'base64url'))).toBe(false);
    });

    it('derives from the current key only: a rotation changes it, retired keys play no part', () => {
      const oldKey = newKey();
      const current = newKey();

      const rotated = new MasterKeyring(current, [oldKey]).deriveKey('x');

      expect(rotated.equals(new MasterKeyring(oldKey).deriveKey('x'))).toBe(false);
      expect(rotated.equals(new MasterKeyring(current).deriveKey('x'))).toBe(true);
    });

    it('hands out copies: writing into one does not change the next', () => {
      const keyring = new MasterKeyring(newKey());
      const first = keyring.deriveKey('x');
      const expected = Buffer.from(first);

      first.fill(0);

      expect(keyring.deriveKey('x').equals(expected)).toBe(true);
    });

    it('refuses an empty label', () => {
      expect(() => new MasterKeyring(newKey()).deriveKey('')).toThrow('deriveKey needs a non-empty label');
    });
  });
});
