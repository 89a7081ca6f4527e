import { createCipheriv, createDecipheriv, createHmac } from 'node:crypto';
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
const SALT_BYTES = 16;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = 2 + KID_BYTES + SALT_BYTES;

/**
 * Seals small JSON values (a challenge's pending authorization request, an answer's outcome) so
 * that they can travel through the browser instead of being written to the database and read
 * back at every step of a sign-in, as Hydra's flows do: AES-256-GCM, authenticated and opaque to
 * the browser and the UI.
 *
 * The layout (then base64url): version, kind, the master key's id, a random salt, the IV, the
 * ciphertext and the tag; everything before the IV is authenticated as associated data. Each
 * value is encrypted under its own key, HMAC-SHA256(sealing key, salt): random 96-bit IVs under
 * one key are good for 2^32 values only (NIST SP 800-38D §8.3), which a busy server would reach
 * within weeks of one master key. The master key's id lets a value sealed on a replica that
 * already rotated open on one that has the new key only as retired, and the other way round.
 *
 * node:crypto rather than jose's JWE: this runs on every step of every sign-in, JWE's
 * WebCrypto path is asynchronous and several times the CPU, and nothing outside Tessera ever
 * reads these values, so the interoperable format buys nothing.
 */
export class ChallengeSeal {
  constructor(private readonly keyring: MasterKeyring) {}

  seal(kind: SealedKind, payload: object): string {
    const kid = Buffer.from(this.keyring.currentKid, 'base64url');
    const header = Buffer.concat([Buffer.from([VERSION, KIND_BYTE[kind]]), kid, secureRandomBytes(SALT_BYTES)]);
    const iv = secureRandomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.messageKey(this.keyring.currentKid, header) as Buffer, iv);
    cipher.setAAD(header);
    const body = Buffer.concat([cipher.update(JSON.stringify(payload), 'utf8'), cipher.final()]);
    return Buffer.concat([header, iv, body, cipher.getAuthTag()]).toString('base64url');
  }

  /** The payload, or undefined for anything not sealed here as `kind` (forged, altered, truncated, unknown key). */
  open<T extends object>(kind: SealedKind, value: unknown): T | undefined {
    if (typeof value !== 'string' || !/^[A-Za-z0-9_-]+$/.test(value)) return undefined;
    const bytes = Buffer.from(value, 'base64url');
    if (bytes.length < HEADER_BYTES + IV_BYTES + TAG_BYTES || bytes[0] !== VERSION || bytes[1] !== KIND_BYTE[kind]) return undefined;
    const header = bytes.subarray(0, HEADER_BYTES);
    const key = this.messageKey(bytes.subarray(2, 2 + KID_BYTES).toString('base64url'), header);
    if (!key) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(HEADER_BYTES, HEADER_BYTES + IV_BYTES));
      decipher.setAAD(header);
      decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
      const plain = Buffer.concat([decipher.update(bytes.subarray(HEADER_BYTES + IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]);
      const payload: unknown = JSON.parse(plain.toString('utf8'));
      return payload !== null && typeof payload === 'object' ? (payload as T) : undefined;
    } catch {
      // The tag does not verify: altered, or sealed under another key.
      return undefined;
    }
  }

  private messageKey(kid: string, header: Buffer): Buffer | undefined {
    const sealingKey = this.keyring.deriveKeyOf(kid, CHALLENGE_SEAL_LABEL);
    return sealingKey && createHmac('sha256', sealingKey).update(header.subarray(2 + KID_BYTES)).digest();
  }
}
