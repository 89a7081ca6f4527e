import { createHash } from 'node:crypto';
import * as fc from 'fast-check';
import { leftHalfHash } from './oidc-hashes';
import { SIGNING_ALGS, type SigningAlg } from './signing-key';

/** The same computation, written out independently with a Hash object. */
function reference(value: string, hashName: 'sha256' | 'sha512'): string {
  const digest = createHash(hashName).update(Buffer.from(value, 'ascii')).digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}

describe('leftHalfHash', () => {
  it('matches the at_hash example of OIDC Core Appendix A.3 (RS256)', () => {
    expect(leftHalfHash('jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y', 'RS256')).toBe(
      '77QmUPtjPfzWtF2AnpK9RQ',
    );
  });

  it('matches the c_hash example of OIDC Core Appendix A.4 (RS256)', () => {
    expect(leftHalfHash('Qcb0Orv1zh30vL1MPRsbm-diHiMwcLyZvn1arpZv-Jxf_11jnpEX3Tgfvk', 'RS256')).toBe(
      'LDktKdoQak3Pk0cnXxCltA',
    );
  });

  it.each<[SigningAlg, 'sha256' | 'sha512', number]>([
    ['RS256', 'sha256', 22],
    ['PS256', 'sha256', 22],
    ['ES256', 'sha256', 22],
    // Ed25519: SHA-512, as the OpenID conformance suite and node-oidc-provider compute it.
    ['EdDSA', 'sha512', 43],
  ])('hashes with %s the way an independent %s computation does', (alg, hashName, length) => {
    const value = 'tsr_ac_0123456789abcdefghijklmnopqrstuvwxyz';
    const result = leftHalfHash(value, alg);

    expect(result).toBe(reference(value, hashName));
    expect(result).toHaveLength(length);
    expect(result).toMatch(/^[A-Za-z0-9_-]+$/); // base64url, no padding
  });

  it('agrees with the independent computation for any ASCII value and every alg', () => {
    const hashNameOf = (alg: SigningAlg) => (alg === 'EdDSA' ? 'sha512' : 'sha256');
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom(..."abcXYZ019-._~!$&'()*+,;=:@/?".split('')), minLength: 1 }),
        fc.constantFrom(...SIGNING_ALGS),
        (value, alg) => leftHalfHash(value, alg) === reference(value, hashNameOf(alg)),
      ),
    );
  });

  it('gives different values for different inputs', () => {
    expect(leftHalfHash('code-a', 'ES256')).not.toBe(leftHalfHash('code-b', 'ES256'));
  });

  it('refuses an empty value and an alg it has no hash for', () => {
    expect(() => leftHalfHash('', 'ES256')).toThrow(TypeError);
    expect(() => leftHalfHash('x', 'HS256' as SigningAlg)).toThrow(TypeError);
    expect(() => leftHalfHash('x', 'none' as SigningAlg)).toThrow(TypeError);
  });
});
