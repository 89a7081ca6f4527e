import { randomId, secureRandomBytes } from './secure-random';

describe('secureRandomBytes', () => {
  it('never hands out the same bytes twice, across pool refills', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) seen.add(secureRandomBytes(32).toString('hex'));
    expect(seen.size).toBe(2000);
  });

  it('returns copies: changing one does not change the next value', () => {
    const a = secureRandomBytes(16);
    const before = a.toString('hex');
    a.fill(0);
    expect(secureRandomBytes(16).toString('hex')).not.toBe(before);
    expect(a.every((b) => b === 0)).toBe(true);
  });

  it('serves sizes larger than the pool directly', () => {
    expect(secureRandomBytes(10_000)).toHaveLength(10_000);
  });

  it('randomId gives base64url ids of the requested entropy', () => {
    expect(randomId()).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(randomId(32)).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});
