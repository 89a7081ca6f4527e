import {
  constants,
  createPrivateKey,
  createPublicKey,
  sign,
  type JsonWebKey,
  type KeyObject,
  type SignKeyObjectInput,
} from 'node:crypto';
import type { JWK } from 'jose';
import { toPublicJwk } from './jwks';
import { SIGNING_ALGS, type SigningAlg } from './signing-key';

export interface JwsHeaderOptions {
  /** The JOSE `typ` header, e.g. `at+jwt` (RFC 9068) or `JWT`. Omitted when absent. */
  readonly typ?: string;
}

// `typ` values come from code, not from requests, so the cache stays tiny; the bound only
// guards against a caller that passes something unbounded by mistake.
const MAX_CACHED_HEADERS = 16;

/**
 * Compact JWS signing, the token endpoint's hot path.
 *
 * Why not jose here: jose signs through WebCrypto, whose promise-based `subtle.sign` costs about
 * 208 µs of CPU per ES256 signature, while a synchronous node:crypto `sign()` with the key imported
 * once takes about 47 µs. jose stays for everything else (verification, JWKS, thumbprints), where
 * its checks are worth more than the microseconds.
 *
 * Build one signer per key at startup (or rotation) and reuse it: the key import, the signing
 * options and the encoded protected header (per `typ`) are all computed once.
 */
export class JwsSigner {
  readonly alg: SigningAlg;
  readonly kid: string;
  /** The public half, with `kid`, `alg` and `use: 'sig'`: what the JWKS publishes for this signer. */
  readonly publicJwk: JWK;

  private readonly digest: string | null;
  private readonly keyInput: KeyObject | SignKeyObjectInput;
  private readonly untypedHeader: string;
  private readonly typedHeaders = new Map<string, string>();

  constructor(privateJwk: JWK) {
    const { alg, kid } = privateJwk;
    if (!isSigningAlg(alg)) {
      throw new TypeError(`JWK alg must be one of ${SIGNING_ALGS.join(', ')}; got ${String(alg)}`);
    }
    if (typeof kid !== 'string' || kid === '') throw new TypeError('JWK must carry a kid');
    if (privateJwk.use !== undefined && privateJwk.use !== 'sig') {
      throw new TypeError(`JWK use is ${privateJwk.use}, not sig`);
    }
    if (typeof privateJwk.d !== 'string') throw new TypeError('A JwsSigner needs a private JWK');

    const key = createPrivateKey({ key: privateJwk as JsonWebKey, format: 'jwk' });
    assertKeyFitsAlg(key, alg);

    this.alg = alg;
    this.kid = kid;
    this.untypedHeader = encodeJson({ alg, kid });
    this.publicJwk = toPublicJwk({
      ...(createPublicKey(key).export({ format: 'jwk' }) as JWK),
      kid,
      alg,
      use: 'sig',
    });

    switch (alg) {
      case 'ES256':
        // JWS (RFC 7518 §3.4) wants the raw 64-byte r||s form, not node's default DER.
        this.digest = 'sha256';
        this.keyInput = { key, dsaEncoding: 'ieee-p1363' };
        break;
      case 'RS256':
        this.digest = 'sha256';
        this.keyInput = key; // RSASSA-PKCS1-v1_5 is node's default padding for RSA keys
        break;
      case 'PS256':
        // RFC 7518 §3.5: MGF1 with SHA-256 and a salt as long as the hash (32 bytes).
        this.digest = 'sha256';
        this.keyInput = { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 };
        break;
      case 'EdDSA':
        this.digest = null; // Ed25519 hashes internally; node requires a null digest
        this.keyInput = key;
        break;
    }
  }

  /** A compact JWS over `JSON.stringify(payload)`, with the protected header `{ alg, kid, typ? }`. */
  sign(payload: object, header: JwsHeaderOptions = {}): string {
    if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
      throw new TypeError('A JWS payload must be a JSON object');
    }
    const signingInput = `${this.encodedHeader(header.typ)}.${encodeJson(payload)}`;
    const signature = sign(this.digest, Buffer.from(signingInput), this.keyInput);
    return `${signingInput}.${signature.toString('base64url')}`;
  }

  private encodedHeader(typ: string | undefined): string {
    if (typ === undefined) return this.untypedHeader;
    let encoded = this.typedHeaders.get(typ);
    if (encoded === undefined) {
      encoded = encodeJson({ alg: this.alg, kid: this.kid, typ });
      if (this.typedHeaders.size < MAX_CACHED_HEADERS) this.typedHeaders.set(typ, encoded);
    }
    return encoded;
  }
}

function encodeJson(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function isSigningAlg(alg: unknown): alg is SigningAlg {
  return typeof alg === 'string' && (SIGNING_ALGS as readonly string[]).includes(alg);
}

/** Refuse a key that does not match its declared `alg` rather than sign something no verifier accepts. */
function assertKeyFitsAlg(key: KeyObject, alg: SigningAlg): void {
  const type = key.asymmetricKeyType;
  const details = key.asymmetricKeyDetails ?? {};
  const fits =
    alg === 'ES256'
      ? type === 'ec' && details.namedCurve === 'prime256v1'
      : alg === 'EdDSA'
        ? type === 'ed25519'
        : type === 'rsa' && (details.modulusLength ?? 0) >= 2048;
  if (!fits) {
    const what =
      type === 'rsa' ? `rsa ${details.modulusLength} bits` : `${type} ${details.namedCurve ?? ''}`.trim();
    throw new TypeError(`A ${what} key cannot sign ${alg}`);
  }
}
