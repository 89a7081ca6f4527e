import { ScopeRegistry, ScopeRegistryConfigError, type ScopeRegistryOptions } from './scope-registry';

function configProblems(options: unknown): readonly string[] {
  try {
    new ScopeRegistry(options as ScopeRegistryOptions);
  } catch (err) {
    if (err instanceof ScopeRegistryConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ScopeRegistryConfigError');
}

const PROFILE_CLAIMS = [
  'name',
  'family_name',
  'given_name',
  'middle_name',
  'nickname',
  'preferred_username',
  'profile',
  'picture',
  'website',
  'gender',
  'birthdate',
  'zoneinfo',
  'locale',
  'updated_at',
];

describe('ScopeRegistry: standard scopes (OIDC Core §5.4)', () => {
  const registry = new ScopeRegistry();

  it.each<[string, string[]]>([
    ['openid', ['sub']],
    ['profile', PROFILE_CLAIMS],
    ['email', ['email', 'email_verified']],
    ['address', ['address']],
    ['phone', ['phone_number', 'phone_number_verified']],
    ['offline_access', []],
  ])('%s requests %j', (scope, claims) => {
    expect([...registry.claimsForScopes([scope])]).toEqual(claims);
    expect(registry.describe(scope)).toEqual({ name: scope, description: expect.any(String), claims });
    expect(registry.describe(scope)?.description.length).toBeGreaterThan(10);
  });

  it('unions the claims of several scopes in scope order, ignoring unknown scopes', () => {
    expect([...registry.claimsForScopes(['email', 'api:read', 'openid', 'email'])]).toEqual(['email', 'email_verified', 'sub']);
  });

  it('knows nothing about unknown scopes, scope names being case-sensitive (RFC 6749 §3.3)', () => {
    expect(registry.describe('Profile')).toBeUndefined();
    expect(registry.claimsForScopes(['Profile', 'EMAIL']).size).toBe(0);
  });

  it('lists sub and every §5.1 standard claim for claims_supported, in the spec table order', () => {
    expect(registry.supportedClaims()).toEqual([
      'sub',
      'name',
      'given_name',
      'family_name',
      'middle_name',
      'nickname',
      'preferred_username',
      'profile',
      'picture',
      'website',
      'email',
      'email_verified',
      'gender',
      'birthdate',
      'zoneinfo',
      'locale',
      'phone_number',
      'phone_number_verified',
      'address',
      'updated_at',
    ]);
    expect(registry.supportedScopes()).toEqual(['openid', 'profile', 'email', 'address', 'phone', 'offline_access']);
  });

  it.each([
    ['name', true],
    ['sub', true],
    ['name#ja-Kana-JP', true],
    ['name#not_a_tag', false],
    ['acr', false],
    ['iss', false],
    ['auth_time', false],
    ['employee_id', false],
    ['constructor', false],
    ['__proto__', false],
  ])('isKnownClaim(%j) → %s (user claims only, never ID token claims)', (name, known) => {
    expect(registry.isKnownClaim(name)).toBe(known);
  });

  it('returns definitions a caller cannot change', () => {
    const profile = registry.describe('profile');
    expect(Object.isFrozen(profile)).toBe(true);
    expect(Object.isFrozen(profile?.claims)).toBe(true);
    registry.supportedClaims().pop();
    expect(registry.supportedClaims()).toContain('updated_at');
  });
});

describe('ScopeRegistry: custom definitions', () => {
  const registry = new ScopeRegistry({
    claims: ['cost_center'],
    scopes: [
      { name: 'employee', description: 'Your employee number and department', claims: ['employee_id', 'department', 'email'] },
      { name: 'urn:example:badge', description: 'Your badge', claims: ['badge'] },
      { name: 'calendar:read', description: 'Read your calendar' },
    ],
  });

  it('resolves custom scopes to their claims, standard ones included', () => {
    expect([...registry.claimsForScopes(['employee'])]).toEqual(['employee_id', 'department', 'email']);
    expect([...registry.claimsForScopes(['calendar:read'])]).toEqual([]);
    expect(registry.describe('urn:example:badge')).toEqual({
      name: 'urn:example:badge',
      description: 'Your badge',
      claims: ['badge'],
    });
  });

  it('lists standard claims, then declared custom claims, then those first named by custom scopes', () => {
    expect(registry.supportedClaims().slice(-4)).toEqual(['cost_center', 'employee_id', 'department', 'badge']);
    expect(registry.supportedClaims().filter((c) => c === 'email')).toHaveLength(1);
    expect(registry.supportedScopes().slice(-3)).toEqual(['employee', 'urn:example:badge', 'calendar:read']);
  });

  it('knows custom claims and their tagged variants, and gives them no fixed type', () => {
    expect(registry.isKnownClaim('cost_center')).toBe(true);
    expect(registry.isKnownClaim('department#fr')).toBe(true);
    expect(registry.claimType('department')).toBeUndefined();
    expect(registry.claimType('email_verified')).toBe('boolean');
    expect(registry.claimType('address')).toBe('object');
  });

  it.each<[string, unknown, RegExp]>([
    ['a scope name with a space', { scopes: [{ name: 'read write', description: 'd' }] }, /scopes\[0\]\.name "read write" is not a scope-token/],
    ['a scope name with a double quote', { scopes: [{ name: 'a"b', description: 'd' }] }, /not a scope-token/],
    ['a scope name with a backslash', { scopes: [{ name: 'a\\b', description: 'd' }] }, /not a scope-token/],
    ['a scope name with non-ASCII', { scopes: [{ name: 'lesen:é', description: 'd' }] }, /not a scope-token/],
    ['an empty scope name', { scopes: [{ name: '', description: 'd' }] }, /not a scope-token/],
    ['a missing scope name', { scopes: [{ description: 'd' }] }, /scopes\[0\]\.name undefined is not a scope-token/],
    ['a redefined standard scope', { scopes: [{ name: 'profile', description: 'd', claims: ['name'] }] }, /"profile" is a standard OpenID Connect scope and cannot be redefined/],
    ['a redefined offline_access', { scopes: [{ name: 'offline_access', description: 'd' }] }, /standard OpenID Connect scope/],
    ['a duplicate custom scope', { scopes: [{ name: 'a', description: 'd' }, { name: 'a', description: 'e' }] }, /scopes\[1\]\.name "a" is defined more than once/],
    ['an empty description', { scopes: [{ name: 'a', description: '  ' }] }, /scopes\[0\]\.description must be a non-empty string/],
    ['claims that are not an array', { scopes: [{ name: 'a', description: 'd', claims: 'x' }] }, /scopes\[0\]\.claims must be an array/],
    ['a claim with a space', { scopes: [{ name: 'a', description: 'd', claims: ['first name'] }] }, /scopes\[0\]\.claims\[0\]: "first name" is not a claim name/],
    ['a claim with #', { scopes: [{ name: 'a', description: 'd', claims: ['name#fr'] }] }, /language-tag separator/],
    ['a claim with a tab', { claims: ['a\tb'] }, /claims\[0\]: "a\\tb" is not a claim name/],
    ['an empty claim', { claims: [''] }, /claims\[0\]: a claim name must be a non-empty string/],
    ['a claim that is not a string', { claims: [42] }, /claims\[0\]: a claim name must be a non-empty string, got 42/],
    ['a claim listed twice in a scope', { scopes: [{ name: 'a', description: 'd', claims: ['x', 'x'] }] }, /claims\[1\]: "x" is listed more than once/],
    ['a custom claim declared twice', { claims: ['x', 'x'] }, /claims\[1\]: "x" is declared more than once/],
    ['a custom claim redeclaring a standard one', { claims: ['email'] }, /"email" is a standard claim already/],
    ['an ID token claim as custom claim', { claims: ['acr'] }, /"acr" is an ID token \/ JWT claim set by the token service/],
    ['an ID token claim in a custom scope', { scopes: [{ name: 'a', description: 'd', claims: ['aud'] }] }, /"aud" is an ID token/],
    ['__proto__ as a claim', { claims: ['__proto__'] }, /"__proto__" cannot be a claim name/],
    ['scopes that are not an array', { scopes: { name: 'a' } }, /scopes must be an array/],
    ['a scope that is not an object', { scopes: ['a'] }, /scopes\[0\] must be an object/],
    ['claims that are not an array at the top', { claims: 'email' }, /claims must be an array/],
  ])('refuses %s', (_, options, problem) => {
    const problems = configProblems(options);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(problem);
  });

  it('refuses options that are not an object', () => {
    expect(configProblems(null)).toEqual(['the options must be an object with optional scopes and claims arrays']);
  });

  it('lists every problem in one error, so that startup shows them all at once', () => {
    let error: unknown;
    try {
      new ScopeRegistry({
        claims: ['iss', 'ok_claim'],
        scopes: [
          { name: 'email', description: 'x' },
          { name: 'bad scope', description: '', claims: ['a b'] },
        ],
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ScopeRegistryConfigError);
    const { problems, message } = error as ScopeRegistryConfigError;
    expect(problems).toHaveLength(5);
    expect(message).toContain('Invalid scope registry configuration:\n- claims[0]: "iss"');
    expect(message.split('\n')).toHaveLength(6);
  });

  it('accepts a custom scope that only reuses standard claims, and sub', () => {
    const r = new ScopeRegistry({ scopes: [{ name: 'profile:basic', description: 'Your name', claims: ['name', 'sub'] }] });
    expect([...r.claimsForScopes(['profile:basic'])]).toEqual(['name', 'sub']);
    expect(r.supportedClaims()).toHaveLength(20);
  });

  it('accepts a custom claim named like an Object.prototype member', () => {
    const r = new ScopeRegistry({ claims: ['constructor', 'toString'] });
    expect(r.isKnownClaim('constructor')).toBe(true);
    expect(r.supportedClaims().slice(-2)).toEqual(['constructor', 'toString']);
  });
});
