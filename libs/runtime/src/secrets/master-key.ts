import { CompactEncrypt, compactDecrypt, base64url } from 'jose';
import { createHash, hkdfSync } from 'node:crypto';

/** The protected header every value starts with (then `kid` and `ctx`): currentValuePrefix depends on it. */
const JWE_HEADER = { alg: 'dir', enc: 'A256GCM' } as const;

/**
 * Encryption at rest under the master key: JWE compact, `dir` + A256GCM, with the key's id in
 * the header so that values written under a retired key still decrypt after a rotation.
 */
export class MasterKeyring {
  private readonly keys = new Map<string, Uint8Array>();
  private readonly derived = new Map<string, Buffer>();
  readonly currentKid: string;

  constructor(current: string, retired: string[] = []) {
    this.currentKid = this.add(current);
    for (const key of retired) this.add(key);
  }

  private add(encoded: string): string {
    const bytes = base64url.decode(encoded);
    if (bytes.length !== 32) throw new Error('A master key must be 32 bytes');
    const kid = createHash('sha256').update(bytes).digest('base64url').slice(0, 12);
    this.keys.set(kid, bytes);
    return kid;
  }

  async encrypt(plaintext: string, context: string): Promise<string> {
    // `context` is bound as the JWE's protected `ctx` header and checked at decryption, so a
    // value cannot be moved to another column or row and still decrypt as valid there.
    return new CompactEncrypt(new TextEncoder().encode(plaintext))
      .setProtectedHeader({ ...JWE_HEADER, kid: this.currentKid, ctx: context })
      .encrypt(this.keys.get(this.currentKid) as Uint8Array);
  }

  async decrypt(jwe: string, context: string): Promise<string> {
    const { plaintext, protectedHeader } = await compactDecrypt(jwe, (header) => {
      const key = header.kid ? this.keys.get(header.kid) : undefined;
      if (!key) throw new Error(`No master key with id ${header.kid}: was a retired key dropped too early?`);
      return key;
    });
    if (protectedHeader['ctx'] !== context) throw new Error('Encrypted value used outside its context');
    return new TextDecoder().decode(plaintext);
  }

  /**
   * How every value encrypted under the current key begins: the protected header's first 48
   * bytes (`{"alg":"dir","enc":"A256GCM","kid":"<kid>`), exactly 64 base64url characters. A query
   * can skip the rows that start with it and read only those that may need re-encrypting
   * (whatever it returns, isStale() has the last word).
   */
  get currentValuePrefix(): string {
    // jose serialises the header with JSON.stringify, keys in the order encrypt() gives them.
    return Buffer.from(JSON.stringify({ ...JWE_HEADER, kid: this.currentKid }).slice(0, -'"}'.length), 'utf8').toString('base64url');
  }

  /** True when the value was written under a key other than the current one (re-encrypt it). */
  isStale(jwe: string): boolean {
    const header = JSON.parse(Buffer.from(jwe.split('.')[0], 'base64url').toString('utf8'));
    return header.kid !== this.currentKid;
  }

  /**
   * A 32-byte key for one purpose, derived from the current master key with HKDF-SHA256
   * (RFC 5869, empty salt, `label` as the info). Different labels give independent keys, so a
   * derived key never doubles as the encryption key or as another purpose's key. It changes with
   * the master key: what it protects must tolerate a rotation (MACs over short-lived values).
   */
  deriveKey(label: string): Buffer {
    if (typeof label !== 'string' || label.length === 0) throw new TypeError('deriveKey needs a non-empty label');
    let key = this.derived.get(label);
    if (!key) {
      key = Buffer.from(hkdfSync('sha256', this.keys.get(this.currentKid) as Uint8Array, Buffer.alloc(0), Buffer.from(label, 'utf8'), 32));
      this.derived.set(label, key);
    }
    // A copy: a caller that zeroes or writes into its buffer must not change everyone else's key.
    return Buffer.from(key);
  }
}
