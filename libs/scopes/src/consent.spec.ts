import { describeScopes, scopesNeedingConsent } from './consent';
import { ScopeRegistry } from './scope-registry';

describe('scopesNeedingConsent', () => {
  it.each<[string, string[], string[], string[]]>([
    ['nothing granted yet: every requested scope', ['openid', 'profile', 'email'], [], ['openid', 'profile', 'email']],
    ['a remembered grant covering the request: nothing', ['openid', 'email'], ['email', 'openid', 'profile'], []],
    ['only the scopes not granted, in request order', ['email', 'openid', 'api:write', 'profile'], ['openid', 'profile'], ['email', 'api:write']],
    ['each scope once, even if requested twice', ['email', 'email', 'phone', 'email'], [], ['email', 'phone']],
    ['scopes compared case-sensitively (RFC 6749 §3.3)', ['Email'], ['email'], ['Email']],
    ['an empty request: nothing', [], ['openid'], []],
  ])('%s', (_, requested, granted, expected) => {
    expect(scopesNeedingConsent(requested, granted)).toEqual(expected);
  });
});

describe('describeScopes', () => {
  const registry = new ScopeRegistry({
    scopes: [{ name: 'calendar:read', description: 'Read your calendar', claims: [] }],
  });

  it('describes standard and custom scopes for the consent screen, in the order given', () => {
    expect(describeScopes(registry, ['email', 'calendar:read', 'openid'])).toEqual([
      { name: 'email', description: 'Your email address and whether it is verified', claims: ['email', 'email_verified'] },
      { name: 'calendar:read', description: 'Read your calendar', claims: [] },
      { name: 'openid', description: 'Sign you in and learn your account identifier', claims: ['sub'] },
    ]);
  });

  it('still lists a scope the registry does not know, by name only, so that consent never hides one', () => {
    const described = describeScopes(registry, ['profile', 'api:write', 'profile']);
    expect(described.map((s) => s.name)).toEqual(['profile', 'api:write']);
    expect(described[1]).toEqual({ name: 'api:write', claims: [] });
    expect(described[1]).not.toHaveProperty('description');
  });

  it('describes nothing for no scopes', () => {
    expect(describeScopes(registry, [])).toEqual([]);
  });
});
