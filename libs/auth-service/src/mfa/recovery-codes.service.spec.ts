import { newRecoveryCode, normalizeRecoveryCode } from './recovery-codes.service';

describe('recovery codes', () => {
  it('are 16 symbols of Crockford base32 in four groups, and differ', () => {
    const codes = Array.from({ length: 200 }, newRecoveryCode);
    for (const code of codes) expect(code).toMatch(/^[0-9a-hjkmnp-tv-z]{4}(-[0-9a-hjkmnp-tv-z]{4}){3}$/);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('use every symbol (no symbol is favoured or missing)', () => {
    const seen = new Set(Array.from({ length: 200 }, newRecoveryCode).join('').replace(/-/g, ''));
    expect(seen.size).toBe(32);
  });

  it('read back what people type: case, spaces, dashes, and I/L/O for 1/1/0', () => {
    expect(normalizeRecoveryCode('ab1c-d0ef-ghjk-mnpq')).toBe('ab1cd0efghjkmnpq');
    expect(normalizeRecoveryCode(' AB1C D0EF GHJK MNPQ ')).toBe('ab1cd0efghjkmnpq');
    expect(normalizeRecoveryCode('abIc-dOef-ghjk-mnpq')).toBe('ab1cd0efghjkmnpq');
    expect(normalizeRecoveryCode('abLc-dOef-ghjk-mnpq')).toBe('ab1cd0efghjkmnpq');
  });

  it('refuse what cannot be a code', () => {
    expect(normalizeRecoveryCode('')).toBeNull();
    expect(normalizeRecoveryCode('abcd-efgh-jkmn')).toBeNull();
    expect(normalizeRecoveryCode('abcd-efgh-jkmn-pqrs-t')).toBeNull();
    expect(normalizeRecoveryCode('abcd-efgh-jkmn-pqu!')).toBeNull();
    expect(normalizeRecoveryCode('abcd-efgh-jkmn-pqru')).toBeNull(); // u is not in the alphabet
  });
});
