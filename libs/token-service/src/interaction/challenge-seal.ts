import { createCipheriv, createDecipheriv } from 'node:crypto';
import { secureRandomBytes } from '@tessera/token-formats';

/**
 * What a sealed value is: a challenge, handed to the login or consent UI, or the UI's answer to
 * one, which the browser brings back to the authorization endpoint. A value of one kind never
 * opens as the other: an answer cannot be forged by replaying a challenge.
 */
export type SealedKind = 'challenge' | 'answer';

/** A payload that would seal to more than the caller's limit: nothing was sealed. */
export class TooLargeToSeal extends Error {
  constructor(readonly length: number) {
    super(`A sealed value would be ${length} characters long`);
  }
}

const VERSION = 1;
const KIND_BYTE: Record<SealedKind, number> = { challenge: 0x63, answer: 0x61 };
const HEADER_BYTES = 2;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** The sealing key: 32 random bytes (AES-256). */
export const CHALLENGE_SEAL_KEY_BYTES = 32;
/**
 * Characters of sealed values the cache of values sealed or opened may hold, about 4 MB: some
 * 4,000 sign-in steps of the usual size, and never more than that, however large the values.
 */
const CACHE_CHARACTERS = 4_000_000;

/** The base64url length of a sealed value with `plaintextBytes` of JSON. */
const sealedLength = (plaintextBytes: number) => Math.ceil(((HEADER_BYTES + IV_BYTES + plaintextBytes + TAG_BYTES) * 4) / 3);

/**
 * Seals small JSON values (a challenge's pending authorization request, an answer's outcome) so
 * that they can travel through the browser instead of being written to the database and read
 * back at every step of a sign-in, as Hydra's flows do: AES-256-GCM, authenticated and opaque to
 * the browser and the UI.
 *
 * The layout (then base64url): version, kind, the IV, the ciphertext and the tag; version and kind
 * are authenticated as associated data. The key is the token service's own, a service secret
 * stored in its schema under the master key: holding the master key alone (every service does) is
 * not enough to make a value this one accepts; with a database role per service, nothing else is.
 *
 * IVs follow the deterministic construction of NIST SP 800-38D §8.2.1, not random draws: random
 * 96-bit IVs are good for 2^32 values per key only (§8.3), which a busy server would reach within
 * weeks. Each process draws a random 64-bit fixed field and counts in the other 32 bits, drawing a
 * new field when the counter wraps.
 *
 * node:crypto rather than jose's JWE: this runs at every step of every sign-in, JWE's WebCrypto
 * path is asynchronous and several times the CPU, and nothing outside Tessera ever reads these
 * values, so the interoperable format buys nothing. For the same reason the last values sealed
 * or opened are remembered by value: the process that made a challenge usually reads and answers
 * it too, and a value that once opened always opens to the same payload.
 */
export class ChallengeSeal {
  private readonly cache = new Map<string, { kind: SealedKind; payload: object }>();
  private cachedCharacters = 0;
  private fixedField = secureRandomBytes(8);
  private counter = 0;

  constructor(private readonly key: Buffer) {
    if (key.length !== CHALLENGE_SEAL_KEY_BYTES) throw new Error(`The challenge sealing key must be ${CHALLENGE_SEAL_KEY_BYTES} bytes`);
  }

  /** Seals `payload`; TooLargeToSeal, before any encryption, when the value would exceed `maxLength`. */
  seal(kind: SealedKind, payload: object, maxLength: number): string {
    const plaintext = Buffer.from(JSON.stringify(payload), 'utf8');
    const length = sealedLength(plaintext.length);
    if (length > maxLength) throw new TooLargeToSeal(length);
    const header = Buffer.from([VERSION, KIND_BYTE[kind]]);
    const iv = this.nextIv();
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(header);
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    const value = Buffer.concat([header, iv, body, cipher.getAuthTag()]).toString('base64url');
    // A copy, as opening would give: later changes to the caller's object do not reach the cache.
    this.remember(value, kind, JSON.parse(plaintext.toString('utf8')) as object);
    return value;
  }

  /**
   * The payload, or undefined for anything not sealed here as `kind` (forged, altered, truncated,
   * sealed under another key). The same value always gives the same object: treat it as frozen.
   */
  open<T extends object>(kind: SealedKind, value: unknown): T | undefined {
    if (typeof value !== 'string') return undefined;
    const known = this.cache.get(value);
    if (known) return known.kind === kind ? (known.payload as T) : undefined;
    if (!/^[A-Za-z0-9_-]+$/.test(value)) return undefined;
    const bytes = Buffer.from(value, 'base64url');
    // Canonical base64url only (no stray trailing bits or characters): one value, one payload.
    if (bytes.length < HEADER_BYTES + IV_BYTES + TAG_BYTES || bytes.toString('base64url') !== value) return undefined;
    if (bytes[0] !== VERSION || bytes[1] !== KIND_BYTE[kind]) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, bytes.subarray(HEADER_BYTES, HEADER_BYTES + IV_BYTES));
      decipher.setAAD(bytes.subarray(0, HEADER_BYTES));
      decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
      const plain = Buffer.concat([decipher.update(bytes.subarray(HEADER_BYTES + IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]);
      const payload: unknown = JSON.parse(plain.toString('utf8'));
      if (payload === null || typeof payload !== 'object') return undefined;
      this.remember(value, kind, payload);
      return payload as T;
    } catch {
      // The tag does not verify: altered, or sealed under another key.
      return undefined;
    }
  }

  private nextIv(): Buffer {
    if (this.counter === 0xffffffff) {
      this.fixedField = secureRandomBytes(8);
      this.counter = 0;
    }
    const iv = Buffer.allocUnsafe(IV_BYTES);
    this.fixedField.copy(iv, 0);
    iv.writeUInt32BE(this.counter++, 8);
    return iv;
  }

  private remember(value: string, kind: SealedKind, payload: object) {
    this.cache.set(value, { kind, payload });
    this.cachedCharacters += value.length;
    // Oldest first out (a Map keeps insertion order), until the cache is within its budget.
    while (this.cachedCharacters > CACHE_CHARACTERS) {
      const oldest = this.cache.keys().next().value as string;
      this.cache.delete(oldest);
      this.cachedCharacters -= oldest.length;
    }
  }
}
