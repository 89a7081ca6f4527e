import { EVENTS, isEventName } from './events';

describe('event registry', () => {
  it('accepts instants with an offset and rejects other dates', () => {
    const revoked = (revokedAt: string) =>
      EVENTS['client.revoked'].schema.safeParse({ clientId: 'app', revokedAt }).success;

    expect(revoked('2026-11-27T10:00:00.000Z')).toBe(true);
    expect(revoked('2026-11-27T11:00:00+01:00')).toBe(true);
    expect(revoked('27/11/2026')).toBe(false);
    expect(revoked('2026-11-27')).toBe(false);
  });

  it('drops fields a payload version does not define, so they never reach the outbox unversioned', () => {
    const parsed = EVENTS['user.deleted'].schema.parse({ sub: 'alice', email: 'alice@example.com' });

    expect(parsed).toEqual({ sub: 'alice' });
  });

  it('checks nested payload fields', () => {
    const consent = EVENTS['consent.granted'].schema;
    const mail = EVENTS['mail.requested'].schema;

    expect(consent.safeParse({ grantId: 'g', sub: 's', clientId: 'c', scopes: ['openid', ''] }).success).toBe(
      false,
    );
    expect(mail.safeParse({ to: 'not an address', template: 'welcome', params: {} }).success).toBe(false);
    expect(EVENTS['login.failed'].schema.safeParse({}).success).toBe(true);
  });

  it('knows only its own event names, not inherited properties', () => {
    expect(isEventName('grant.revoked')).toBe(true);
    expect(isEventName('toString')).toBe(false);
    expect(isEventName(42)).toBe(false);
  });
});
