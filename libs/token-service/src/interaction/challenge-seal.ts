import { createCipheriv, createDecipheriv } from 'node:crypto';
import type { MasterKeyring } from '@tessera/runtime';
import { secureRandomBytes } from '@tessera/token-formats';

/** The HKDF label (MasterKeyring.deriveKeyOf) of the key challenges and their answers are sealed under. */
export const CHALLENGE_SEAL_LABEL = 'tessera challenge seal v1';

/**
 * What a sealed value is: a challenge, handed to the login or consent UI, or the UI's answer to
 * one, which the browser brings back to the authorization endpoint. A value of one kind never
 * opens as the other: an answer cannot be forged by replaying a challenge.
 */
export type SealedKind = 'challenge' | 'answer';

const VERSION = 1;
const KIND_BYTE: Record<SealedKind, number> = { challenge: 0x63, answer: 0x61 };
/** A master key id (MasterKeyring.currentKid) is 12 base64url characters: 9 bytes. */
const KID_BYTES = 9;
const HEADER_BYTES = 2 + KID_BYTES;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Values opened (or sealed) lately, by value: a challenge is read, then answered, by the same process. */
const OPENED_CACHE_SIZE = 4096;

/**
 * Seals small JSON values (a challenge's pending authorization request, an answer's outcome) so
 * that they can travel through the browser instead of being written to the database and read
 * back at every step of a sign-in, as Hydra's flows do: AES-256-GCM, authenticated and opaque to
 * the browser and the UI.
 *
 * The layout (then base64url): version, kind, the master key's id, the IV, the ciphertext and the
 * tag; version, kind and key id are authenticated as associated data. The master key's id lets a
 * value sealed on a replica that already rotated open on one that has the new key only as
 * retired, and the other way round.
 *
 * IVs follow the deterministic construction of NIST SP 800-38D §8.2.1, not random draws: random
 * 96-bit IVs are good for 2^32 values per key only (§8.3), which a busy server would reach within
 * weeks of one master key. Each process draws a random 64-bit fixed field and counts in the
 * other 32 bits, drawing a new field when the counter wraps.
 *
 * node:crypto rather than jose's JWE: this runs at every step of every sign-in, JWE's WebCrypto
 * path is asynchronous and several times the CPU, and nothing outside Tessera ever reads these
 * values, so the interoperable format buys nothing. For the same reason the last values sealed
 * or opened are remembered by value: the process that made a challenge usually reads and answers
 * it too, and a value that once opened always opens to the same payload.
 */
export class ChallengeSeal {
  private readonly opened = new Map<string, { kind: SealedKind; payload: object }>();
  private fixedField = secureRandomBytes(8);
  private counter = 0;

  constructor(private readonly keyring: MasterKeyring) {}

  seal(kind: SealedKind, payload: object): string {
    const kid = this.keyring.currentKid;
    const header = Buffer.concat([Buffer.from([VERSION, KIND_BYTE[kind]]), Buffer.from(kid, 'base64url')]);
    const iv = this.nextIv();
    const cipher = createCipheriv('aes-256-gcm', this.keyOf(kid) as Buffer, iv);
    cipher.setAAD(header);
    const body = Buffer.concat([cipher.update(JSON.stringify(payload), 'utf8'), cipher.final()]);
    const value = Buffer.concat([header, iv, body, cipher.getAuthTag()]).toString('base64url');
    this.remember(value, kind, payload);
    return value;
  }

  /** The payload, or undefined for anything not sealed here as `kind` (forged, altered, truncated, unknown key). */
  open<T extends object>(kind: SealedKind, value: unknown): T | undefined {
    if (typeof value !== 'string') return undefined;
    const known = this.opened.get(value);
    if (known) return known.kind === kind ? (known.payload as T) : undefined;
    if (!/^[A-Za-z0-9_-]+$/.test(value)) return undefined;
    const bytes = Buffer.from(value, 'base64url');
    if (bytes.length < HEADER_BYTES + IV_BYTES + TAG_BYTES || bytes[0] !== VERSION || bytes[1] !== KIND_BYTE[kind]) return undefined;
    const header = bytes.subarray(0, HEADER_BYTES);
    const key = this.keyOf(bytes.subarray(2, HEADER_BYTES).toString('base64url'));
    if (!key) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(HEADER_BYTES, HEADER_BYTES + IV_BYTES));
      decipher.setAAD(header);
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

  private keyOf(kid: string): Buffer | undefined {
    return this.keyring.deriveKeyOf(kid, CHALLENGE_SEAL_LABEL);
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
    // Oldest first out: a Map keeps insertion order.
    if (this.opened.size >= OPENED_CACHE_SIZE) this.opened.delete(this.opened.keys().next().value as string);
    this.opened.set(value, { kind, payload });
  }
}
