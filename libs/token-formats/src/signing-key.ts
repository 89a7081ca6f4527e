import { generateKeyPair, type KeyObject } from 'node:crypto';
import type { JWK } from 'jose';
import { jwkThumbprint, toPublicJwk } from './jwks';

export type SigningAlg = 'ES256' | 'RS256' | 'PS256' | 'EdDSA';

/** Every algorithm Tessera signs with, in the order a verifier should prefer them. */
export const SIGNING_ALGS: readonly SigningAlg[] = ['ES256', 'EdDSA', 'PS256', 'RS256'];

export interface SigningKey {
  /** RFC 7638 thumbprint of the public key. */
  readonly kid: string;
  readonly alg: SigningAlg;
  /** `kty`, the public parameters, `kid`, `alg` and `use: 'sig'`; safe to publish. */
  readonly publicJwk: JWK;
  /** The same plus the private parameters: store it encrypted under the master key, never log it. */
  readonly privateJwk: JWK;
}

interface KeyPair {
  publicKey: KeyObject;
  privateKey: KeyObject;
}

// The asynchronous generateKeyPair runs in libuv's thread pool, so a 2048-bit RSA key (tens of
// milliseconds, sometimes more) does not stall the event loop during a rotation.
function generatePair(alg: SigningAlg): Promise<KeyPair> {
  return new Promise((resolve, reject) => {
    const done = (err: Error | null, publicKey: KeyObject, privateKey: KeyObject) =>
      err ? reject(err) : resolve({ publicKey, privateKey });
    switch (alg) {
      case 'ES256':
        return generateKeyPair('ec', { namedCurve: 'P-256' }, done);
      case 'RS256':
      case 'PS256':
        // PS256 uses a plain `rsa` key (not `rsa-pss`): JWK has no way to express RSA-PSS
        // key restrictions, and the padding is chosen at signing time.
        return generateKeyPair('rsa', { modulusLength: 2048, publicExponent: 0x10001 }, done);
      case 'EdDSA':
        return generateKeyPair('ed25519', undefined, done);
      default:
        return reject(new TypeError(`Unsupported signing algorithm ${String(alg)}`));
    }
  });
}

/** A fresh signing key for `alg` (RSA keys are 2048 bits), identified by its JWK thumbprint. */
export async function generateSigningKey(alg: SigningAlg): Promise<SigningKey> {
  const { publicKey, privateKey } = await generatePair(alg);
  const publicParams = publicKey.export({ format: 'jwk' }) as JWK;
  const kid = await jwkThumbprint(publicParams);
  const meta = { kid, alg, use: 'sig' };
  return {
    kid,
    alg,
    publicJwk: toPublicJwk({ ...publicParams, ...meta }),
    privateJwk: { ...(privateKey.export({ format: 'jwk' }) as JWK), ...meta },
  };
}
