import { ACCOUNT_POLICY, delayAfter, ipKey } from './database-login-throttle';

describe('throttle rules', () => {
  it('lets the first failures retry at once, then doubles the wait up to its cap', () => {
    expect(delayAfter(1, ACCOUNT_POLICY)).toBe(0);
    expect(delayAfter(2, ACCOUNT_POLICY)).toBe(0);
    expect(delayAfter(3, ACCOUNT_POLICY)).toBe(1);
    expect(delayAfter(4, ACCOUNT_POLICY)).toBe(2);
    expect(delayAfter(6, ACCOUNT_POLICY)).toBe(8);
    expect(delayAfter(9, ACCOUNT_POLICY)).toBe(ACCOUNT_POLICY.maxDelaySeconds);
  });

  it('counts an IPv4 address alone and an IPv6 address by its /64', () => {
    expect(ipKey('192.0.2.7')).toBe('ip:192.0.2.7');
    expect(ipKey('::ffff:192.0.2.7')).toBe('ip:192.0.2.7');
    expect(ipKey('2001:db8:abcd:12::1')).toBe(ipKey('2001:db8:abcd:12:ffff:1:2:3'));
    expect(ipKey('2001:db8:abcd:12::1')).not.toBe(ipKey('2001:db8:abcd:13::1'));
    expect(ipKey('not-an-ip')).toBe('ip:not-an-ip');
  });
});
