import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { encodeCBOR, type CBORType } from '@levischuck/tiny-cbor';
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';

/** A credential the soft authenticator holds (a discoverable credential: it keeps the user handle). */
export interface SoftCredential {
  id: Buffer;
  rpId: string;
  userHandle: string;
  privateKey: KeyObject;
  /** The COSE_Key of the public key (what the server stores). */
  cosePublicKey: Buffer;
  signCount: number;
}

/** What a test may bend to play a phishing site, a cloned key or a broken client. */
export interface CeremonyOverrides {
  origin?: string;
  rpId?: string;
  challenge?: string;
  type?: string;
  userPresent?: boolean;
  userVerified?: boolean;
  /** The counter to report (default: one more than the last). */
  signCount?: number;
  credential?: SoftCredential;
  userHandle?: string | null;
}

const FLAG = { UP: 0x01, UV: 0x04, BE: 0x08, BS: 0x10, AT: 0x40 } as const;
const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest();
const b64u = (data: Buffer) => data.toString('base64url');

/**
 * A software FIDO2 authenticator and the browser's part around it, enough to drive the
 * server's WebAuthn ceremonies at the API level: P-256 (ES256) keys from node:crypto,
 * attestation format "none", authenticator data with the RP ID hash, flags (UP, UV, and BE/BS
 * for a synced passkey), the signature counter and the attested credential data (COSE key),
 * the CBOR attestation object, clientDataJSON, and assertion signatures over
 * authenticatorData || SHA-256(clientDataJSON) (WebAuthn §6.3.3).
 */
export class SoftAuthenticator {
  readonly credentials: SoftCredential[] = [];
  readonly aaguid = randomBytes(16);

  constructor(
    /** The page's origin the "browser" reports in clientDataJSON. */
    readonly origin: string,
    /** A synced passkey (backup eligible and backed up) rather than a hardware-bound one. */
    readonly synced = false,
  ) {}

  /** Makes a discoverable credential without a ceremony (to seed a server as a fixture). */
  newCredential(rpId: string, userHandle: string): SoftCredential {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = publicKey.export({ format: 'jwk' });
    const cose = new Map<number, CBORType>([
      [1, 2], // kty: EC2
      [3, -7], // alg: ES256
      [-1, 1], // crv: P-256
      [-2, new Uint8Array(Buffer.from(jwk.x as string, 'base64url'))],
      [-3, new Uint8Array(Buffer.from(jwk.y as string, 'base64url'))],
    ]);
    const credential: SoftCredential = { id: randomBytes(16), rpId, userHandle, privateKey, cosePublicKey: Buffer.from(encodeCBOR(cose)), signCount: 0 };
    // A discoverable credential replaces the authenticator's previous one for the same account (§6.1).
    const previous = this.credentials.findIndex((c) => c.rpId === rpId && c.userHandle === userHandle);
    if (previous >= 0) this.credentials.splice(previous, 1);
    this.credentials.push(credential);
    return credential;
  }

  /** `navigator.credentials.create()` followed by `PublicKeyCredential.toJSON()`. */
  create(options: PublicKeyCredentialCreationOptionsJSON, overrides: CeremonyOverrides = {}): RegistrationResponseJSON {
    const rpId = overrides.rpId ?? options.rp.id ?? new URL(this.origin).hostname;
    if (!options.pubKeyCredParams.some((p) => p.alg === -7)) throw new Error('the server does not accept ES256');
    const excluded = new Set((options.excludeCredentials ?? []).map((c) => c.id));
    if (this.credentials.some((c) => c.rpId === rpId && excluded.has(b64u(c.id)))) throw new Error('InvalidStateError: this authenticator is registered already');
    const credential = this.newCredential(rpId, options.user.id);
    const attested = Buffer.concat([this.aaguid, u16(credential.id.length), credential.id, credential.cosePublicKey]);
    const authData = this.authenticatorData(rpId, FLAG.AT, credential.signCount, overrides, attested);
    const attestationObject = encodeCBOR(new Map<string, CBORType>([['fmt', 'none'], ['attStmt', new Map()], ['authData', new Uint8Array(authData)]]));
    const clientDataJSON = this.clientData('webauthn.create', options.challenge, overrides);
    return {
      id: b64u(credential.id),
      rawId: b64u(credential.id),
      type: 'public-key',
      authenticatorAttachment: this.synced ? 'platform' : 'cross-platform',
      clientExtensionResults: {},
      response: { clientDataJSON: b64u(clientDataJSON), attestationObject: b64u(Buffer.from(attestationObject)), transports: this.synced ? ['internal', 'hybrid'] : ['usb', 'nfc'] },
    };
  }

  /** `navigator.credentials.get()` followed by `PublicKeyCredential.toJSON()`. */
  get(options: PublicKeyCredentialRequestOptionsJSON, overrides: CeremonyOverrides = {}): AuthenticationResponseJSON {
    const rpId = overrides.rpId ?? options.rpId ?? new URL(this.origin).hostname;
    const allowed = new Set((options.allowCredentials ?? []).map((c) => c.id));
    const credential =
      overrides.credential ??
      this.credentials.find((c) => c.rpId === (options.rpId ?? rpId) && (allowed.size === 0 || allowed.has(b64u(c.id))));
    if (!credential) throw new Error('NotAllowedError: no credential for this site');
    const signCount = overrides.signCount ?? credential.signCount + 1;
    credential.signCount = signCount;
    const authData = this.authenticatorData(rpId, 0, signCount, overrides);
    const clientDataJSON = this.clientData('webauthn.get', options.challenge, overrides);
    const signature = sign('sha256', Buffer.concat([authData, sha256(clientDataJSON)]), credential.privateKey); // DER, as WebAuthn wants for ECDSA
    const userHandle = overrides.userHandle === undefined ? credential.userHandle : overrides.userHandle;
    return {
      id: b64u(credential.id),
      rawId: b64u(credential.id),
      type: 'public-key',
      authenticatorAttachment: this.synced ? 'platform' : 'cross-platform',
      clientExtensionResults: {},
      response: {
        clientDataJSON: b64u(clientDataJSON),
        authenticatorData: b64u(authData),
        signature: b64u(signature),
        ...(userHandle === null ? {} : { userHandle }),
      },
    };
  }

  private authenticatorData(rpId: string, extraFlags: number, signCount: number, o: CeremonyOverrides, attested?: Buffer): Buffer {
    let flags = extraFlags;
    if (o.userPresent ?? true) flags |= FLAG.UP;
    if (o.userVerified ?? true) flags |= FLAG.UV;
    if (this.synced) flags |= FLAG.BE | FLAG.BS;
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(signCount);
    return Buffer.concat([sha256(rpId), Buffer.from([flags]), counter, ...(attested ? [attested] : [])]);
  }

  private clientData(type: string, challenge: string, o: CeremonyOverrides): Buffer {
    return Buffer.from(JSON.stringify({ type: o.type ?? type, challenge: o.challenge ?? challenge, origin: o.origin ?? this.origin, crossOrigin: false }));
  }
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}
