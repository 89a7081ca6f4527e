import { randomUUID } from 'node:crypto';
import type { CryptoKey, CryptoKeyPair } from 'oauth4webapi';

export interface ClientKeyPair {
  /** For the libraries: the private CryptoKey and the kid the request objects name. */
  privateKey: { key: CryptoKey; kid: string };
  /** The public JWK a client registers in its `jwks` (no private members). */
  publicJwk: Record<string, unknown>;
}

const PARAMS = {
  ES256: { name: 'ECDSA', namedCurve: 'P-256' },
  RS256: { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
  PS256: { name: 'RSA-PSS', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
} as const;

/** A client signing key made with WebCrypto, as a relying party would hold it. */
export async function generateClientKey(alg: keyof typeof PARAMS): Promise<ClientKeyPair> {
  const pair = (await crypto.subtle.generateKey(PARAMS[alg], true, ['sign', 'verify'])) as CryptoKeyPair;
  const { kty, crv, x, y, n, e } = await crypto.subtle.exportKey('jwk', pair.publicKey);
  const kid = `${alg.toLowerCase()}-${randomUUID()}`;
  const publicJwk = Object.fromEntries(Object.entries({ kty, crv, x, y, n, e, kid, alg, use: 'sig' }).filter(([, v]) => v !== undefined));
  return { privateKey: { key: pair.privateKey, kid }, publicJwk };
}
