import { sealOutcome, unsealOutcome } from './sealed-outcome';

describe('sealed outcomes', () => {
  const requested = Array.from({ length: 70 }, (_, i) => `scope:${i}`);

  it('carries a consent\'s granted scopes as a mask over the requested ones, and back', () => {
    for (const granted of [[], ['scope:0'], ['scope:69', 'scope:3'], requested.filter((_, i) => i % 7 === 0), requested]) {
      const sealed = sealOutcome({ kind: 'consent', grantedScope: granted, remember: true }, requested);
      expect(JSON.stringify(sealed)).not.toContain('scope:');
      const back = unsealOutcome(sealed, requested);
      expect(back).toEqual({ kind: 'consent', grantedScope: requested.filter((s) => granted.includes(s)), remember: true });
    }
  });

  it('stays small however many scopes are granted: a hex digit per four requested', () => {
    const sealed = sealOutcome({ kind: 'consent', grantedScope: requested, remember: false }, requested) as { s: string };
    expect(sealed.s).toHaveLength(Math.ceil(requested.length / 4));
  });

  it('passes login and rejection outcomes through as they are', () => {
    const login = { kind: 'login' as const, login: { sub: 'ada', loginSessionId: 'ls', amr: ['pwd'], authTime: 1, remember: false } };
    const rejected = { kind: 'rejected' as const, error: 'access_denied' as const };
    expect(unsealOutcome(sealOutcome(login, requested), requested)).toEqual(login);
    expect(unsealOutcome(sealOutcome(rejected, requested), requested)).toEqual(rejected);
  });
});
