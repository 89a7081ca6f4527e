import { ACCOUNT_POLICY, nextAllowed } from './database-login-throttle';

describe('nextAllowed (account policy)', () => {
  const at = (failures: number, lockedUntil: number | null = null) => nextAllowed({ failures, lastFailureAt: 1000, lockedUntil }, ACCOUNT_POLICY);

  it('lets the first failures retry at once, then doubles the wait up to its cap', () => {
    expect(at(1)).toBe(0);
    expect(at(2)).toBe(0);
    expect(at(3)).toBe(1001);
    expect(at(4)).toBe(1002);
    expect(at(6)).toBe(1008);
    expect(at(9)).toBe(1000 + ACCOUNT_POLICY.maxDelaySeconds);
  });

  it('waits for the lock when one is set', () => {
    expect(at(10, 1900)).toBe(1900);
  });
});
