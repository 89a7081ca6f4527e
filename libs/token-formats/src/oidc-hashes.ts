import { hash } from 'node:crypto';
import type { SigningAlg } from './signing-key';

/**
 * The hash function behind each signing alg, for the left-half hashes below.
 *
 * OIDC Core §3.1.3.6 says "the hash algorithm used in the alg Header Parameter of the ID Token's
 * JOSE Header": SHA-256 for the *256 algorithms. `EdDSA` names no hash, so the value is not fixed
 * by the spec; for Ed25519 (the only EdDSA curve Tessera signs with) the OpenID conformance suite
 * and node-oidc-provider (oidc-token-hash) use SHA-512, the hash Ed25519 itself is built on, and so
 * do we: a relying party that verified our tokens against the conformance suite expects it.
 */
const HASH_OF: Readonly<Record<SigningAlg, 'sha256' | 'sha512'>> = {
  ES256: 'sha256',
  RS256: 'sha256',
  PS256: 'sha256',
  EdDSA: 'sha512',
};

/**
 * The `at_hash` / `c_hash` / `s_hash` value for `value` in an ID token signed with `alg`
 * (OIDC Core §3.1.3.6, §3.3.2.11; FAPI 1.0 Advanced §5.1 for `s_hash`): hash the octets of the
 * ASCII value, keep the left-most half, base64url without padding.
 *
 * `alg` must be the ID token's own `alg` (the signer's), or relying parties compute another hash.
 * Codes, access tokens and RFC 6749 `state` values (VSCHAR) are ASCII; anything else is hashed as
 * UTF-8, which is what oidc-token-hash does too.
 */
export function leftHalfHash(value: string, alg: SigningAlg): string {
  if (typeof value !== 'string' || value === '') throw new TypeError('value must be a non-empty string');
  const algorithm = HASH_OF[alg];
  if (algorithm === undefined) throw new TypeError(`No left-half hash is defined for alg ${String(alg)}`);
  const digest = hash(algorithm, value, 'buffer');
  return digest.subarray(0, digest.length / 2).toString('base64url');
}
