import * as fc from 'fast-check';
import { type ClaimsRequest, parseClaimsRequest } from './claims-request';
import { releaseClaims, type ReleaseClaimsInput } from './release-claims';
import { ScopeRegistry } from './scope-registry';

const registry = new ScopeRegistry({
  claims: ['cost_center', 'constructor'],
  scopes: [{ name: 'employee', description: 'Your employee number and department', claims: ['employee_id', 'department'] }],
});

const PROFILE: Readonly<Record<string, unknown>> = Object.freeze({
  sub: 'u-1',
  name: 'Jane Doe',
  'name#fr': 'Jeanne Dupont',
  'name#ja-Kana-JP': 'ジェーン・ドウ',
  given_name: 'Jane',
  family_name: 'Doe',
  'family_name#ja-Kana-JP': 'ドウ',
  'family_name#ja-Hani-JP': '土井',
  nickname: 'JD',
  locale: 'en-US',
  updated_at: 1_700_000_000,
  email: 'jane@example.com',
  email_verified: true,
  phone_number: '+1 555 0100',
  phone_number_verified: false,
  address: { formatted: '1 Main St', country: 'US' },
  employee_id: 'E42',
  department: 'R&D',
  cost_center: 'CC-7',
  acr: 'urn:example:gold',
  iss: 'https://attacker.example',
  password_hash: '$argon2id$…',
});

const claims = (json: object): ClaimsRequest => parseClaimsRequest(JSON.stringify(json));

function release(overrides: Partial<ReleaseClaimsInput>): Record<string, unknown> {
  return releaseClaims({
    target: 'userinfo',
    profile: PROFILE,
    grantedScopes: ['openid'],
    scopeClaimsInIdToken: false,
    registry,
    ...overrides,
  });
}

describe('releaseClaims: which claims (OIDC Core §5.4, §5.5)', () => {
  it.each<[string, Partial<ReleaseClaimsInput>, Record<string, unknown>]>([
    ['userinfo, openid only: nothing (sub is the token service’s)', {}, {}],
    ['userinfo, email scope', { grantedScopes: ['openid', 'email'] }, { email: 'jane@example.com', email_verified: true }],
    [
      'userinfo, profile scope: the profile claims present, untagged',
      { grantedScopes: ['openid', 'profile'] },
      { name: 'Jane Doe', given_name: 'Jane', family_name: 'Doe', nickname: 'JD', locale: 'en-US', updated_at: 1_700_000_000 },
    ],
    ['userinfo, phone scope keeps a false boolean', { grantedScopes: ['phone'] }, { phone_number: '+1 555 0100', phone_number_verified: false }],
    ['userinfo, address scope', { grantedScopes: ['address'] }, { address: { formatted: '1 Main St', country: 'US' } }],
    ['userinfo, custom scope', { grantedScopes: ['employee'] }, { employee_id: 'E42', department: 'R&D' }],
    ['userinfo, unknown scope', { grantedScopes: ['api:read', 'offline_access'] }, {}],
    [
      'userinfo, a claim requested and granted one by one',
      { grantedScopes: ['openid', 'email'], claimsRequest: claims({ userinfo: { given_name: { essential: true } } }), grantedClaims: ['given_name'] },
      { given_name: 'Jane', email: 'jane@example.com', email_verified: true },
    ],
    [
      'userinfo, a requested claim the user did not grant',
      { claimsRequest: claims({ userinfo: { given_name: { essential: true } } }) },
      {},
    ],
    [
      'userinfo, a requested custom claim outside any scope, granted',
      { claimsRequest: claims({ userinfo: { cost_center: null } }), grantedClaims: ['cost_center'] },
      { cost_center: 'CC-7' },
    ],
    [
      'userinfo, a granted claim the client did not request',
      { grantedClaims: ['given_name', 'cost_center'] },
      {},
    ],
    [
      'userinfo, ID token and protocol claims, never, even if requested and "granted"',
      { claimsRequest: claims({ userinfo: { sub: null, acr: null, iss: null } }), grantedClaims: ['sub', 'acr', 'iss'] },
      {},
    ],
    [
      'userinfo, unknown claims, never, even if requested and "granted"',
      { claimsRequest: claims({ userinfo: { password_hash: null } }), grantedClaims: ['password_hash'] },
      {},
    ],
    [
      'id_token, scope claims stay out when an access token is issued',
      { target: 'id_token', grantedScopes: ['openid', 'profile', 'email'] },
      {},
    ],
    [
      'id_token, scope claims go in when no access token is issued (response_type=id_token)',
      { target: 'id_token', grantedScopes: ['openid', 'email'], scopeClaimsInIdToken: true },
      { email: 'jane@example.com', email_verified: true },
    ],
    [
      'id_token, a claim requested for the ID token and covered by a granted scope',
      { target: 'id_token', grantedScopes: ['openid', 'email'], claimsRequest: claims({ id_token: { email: null } }) },
      { email: 'jane@example.com' },
    ],
    [
      'id_token, a claim requested only for userinfo',
      { target: 'id_token', grantedScopes: ['openid', 'email'], claimsRequest: claims({ userinfo: { email: null } }) },
      {},
    ],
    [
      'id_token, a claim granted one by one',
      { target: 'id_token', claimsRequest: claims({ id_token: { nickname: { essential: true } } }), grantedClaims: ['nickname'] },
      { nickname: 'JD' },
    ],
    [
      'id_token, a requested claim the user did not grant',
      { target: 'id_token', grantedScopes: ['openid', 'email'], claimsRequest: claims({ id_token: { phone_number: null } }) },
      {},
    ],
    [
      'userinfo, a claim granted by consent that is absent from the profile',
      { claimsRequest: claims({ userinfo: { middle_name: null } }), grantedClaims: ['middle_name'] },
      {},
    ],
  ])('%s', (_, input, expected) => {
    expect(release(input)).toEqual(expected);
  });

  it('never returns sub, even from a custom scope that lists it', () => {
    const r = new ScopeRegistry({ scopes: [{ name: 'who', description: 'Who you are', claims: ['sub', 'name'] }] });
    expect(release({ registry: r, grantedScopes: ['openid', 'who'] })).toEqual({ name: 'Jane Doe' });
  });
});

describe('releaseClaims: languages and scripts (OIDC Core §5.2)', () => {
  it.each<[string, Partial<ReleaseClaimsInput>, Record<string, unknown>]>([
    [
      'claims_locales: the exact tag, beside the untagged claim',
      { grantedScopes: ['profile'], claimsLocales: ['ja-Kana-JP'] },
      {
        name: 'Jane Doe',
        'name#ja-Kana-JP': 'ジェーン・ドウ',
        given_name: 'Jane',
        family_name: 'Doe',
        'family_name#ja-Kana-JP': 'ドウ',
        nickname: 'JD',
        locale: 'en-US',
        updated_at: 1_700_000_000,
      },
    ],
    [
      'claims_locales: a language prefix (fr-CA → name#fr), then the next locale for another claim',
      { claimsRequest: claims({ userinfo: { name: null, family_name: null } }), grantedClaims: ['name', 'family_name'], claimsLocales: ['fr-CA', 'ja'] },
      { name: 'Jane Doe', 'name#fr': 'Jeanne Dupont', family_name: 'Doe', 'family_name#ja-Hani-JP': '土井' },
    ],
    [
      'claims_locales: the first locale that matches wins, only one variant per claim',
      { claimsRequest: claims({ userinfo: { name: null } }), grantedClaims: ['name'], claimsLocales: ['de', 'ja-Kana-JP', 'fr'] },
      { name: 'Jane Doe', 'name#ja-Kana-JP': 'ジェーン・ドウ' },
    ],
    [
      'claims_locales: no variant in those languages',
      { grantedScopes: ['email'], claimsRequest: claims({ userinfo: { name: null } }), grantedClaims: ['name'], claimsLocales: ['de', 'es-MX'] },
      { name: 'Jane Doe', email: 'jane@example.com', email_verified: true },
    ],
    [
      'claims_locales: malformed locales are skipped',
      { claimsRequest: claims({ userinfo: { name: null } }), grantedClaims: ['name'], claimsLocales: ['*', 'fr_FR', 'fr'] },
      { name: 'Jane Doe', 'name#fr': 'Jeanne Dupont' },
    ],
    [
      'a tagged name asked for explicitly: only that variant, not the untagged claim',
      { claimsRequest: claims({ userinfo: { 'name#fr': null } }), grantedClaims: ['name'] },
      { 'name#fr': 'Jeanne Dupont' },
    ],
    [
      'a tagged name asked for explicitly, granted by scope, in the ID token without the scope claims',
      { target: 'id_token', grantedScopes: ['profile'], claimsRequest: claims({ id_token: { 'family_name#ja-Hani-JP': null } }) },
      { 'family_name#ja-Hani-JP': '土井' },
    ],
    [
      'a tagged name matched ignoring case, written as the profile spells it',
      { claimsRequest: claims({ userinfo: { 'family_name#JA-kana-jp': null } }), grantedClaims: ['family_name'] },
      { 'family_name#ja-Kana-JP': 'ドウ' },
    ],
    [
      'a tagged name without that variant: the variant it extends, truthfully tagged',
      { claimsRequest: claims({ userinfo: { 'name#fr-CA': null, 'given_name#fr': null } }), grantedClaims: ['name', 'given_name'] },
      { 'name#fr': 'Jeanne Dupont' },
    ],
    [
      'a tagged name whose base claim is not granted',
      { grantedScopes: ['email'], claimsRequest: claims({ userinfo: { 'name#fr': null } }) },
      { email: 'jane@example.com', email_verified: true },
    ],
    [
      'a tagged name granted one by one counts for its base claim',
      { claimsRequest: claims({ userinfo: { name: null } }), grantedClaims: ['name#fr'] },
      { name: 'Jane Doe' },
    ],
    [
      'explicit tags and claims_locales together, each variant once, untagged first then code-unit order',
      { grantedScopes: ['profile'], claimsRequest: claims({ userinfo: { 'name#fr': null, 'name#ja-Kana-JP': null } }), claimsLocales: ['fr'] },
      {
        name: 'Jane Doe',
        'name#fr': 'Jeanne Dupont',
        'name#ja-Kana-JP': 'ジェーン・ドウ',
        given_name: 'Jane',
        family_name: 'Doe',
        nickname: 'JD',
        locale: 'en-US',
        updated_at: 1_700_000_000,
      },
    ],
  ])('%s', (_, input, expected) => {
    const released = release(input);
    expect(released).toEqual(expected);
    expect(Object.keys(released)).toEqual(Object.keys(expected));
  });

  it('returns only the tagged variant when the profile has no untagged value', () => {
    const profile = { 'name#fr': 'Jeanne', 'name#en': 'Jane' };
    expect(release({ profile, grantedScopes: ['profile'], claimsLocales: ['en-GB'] })).toEqual({ 'name#en': 'Jane' });
  });
});

describe('releaseClaims: values (OIDC Core §5.1)', () => {
  it.each<[string, string, unknown]>([
    ['email_verified as a string', 'email_verified', 'true'],
    ['phone_number_verified as a number', 'phone_number_verified', 1],
    ['updated_at as a date string', 'updated_at', '2024-01-01T00:00:00Z'],
    ['updated_at not finite', 'updated_at', Number.NaN],
    ['address as a string', 'address', '1 Main St'],
    ['address as an array', 'address', ['1 Main St']],
    ['email as an array', 'email', ['a@example.com']],
    ['name as a number', 'name', 42],
    ['a null value', 'name', null],
    ['an undefined value', 'email', undefined],
  ])('drops %s (wrong JSON type for a standard claim, or no value)', (_, claim, value) => {
    const released = release({ profile: { ...PROFILE, [claim]: value }, grantedScopes: ['profile', 'email', 'address', 'phone'] });
    expect(Object.hasOwn(released, claim)).toBe(false);
    expect(Object.values(released)).not.toContain(null);
  });

  it('drops a tagged variant of the wrong type and falls back to the next locale', () => {
    const profile = { name: 'Jane', 'name#fr': 42, 'name#de': 'Johanna' };
    expect(release({ profile, grantedScopes: ['profile'], claimsLocales: ['fr', 'de'] })).toEqual({ name: 'Jane', 'name#de': 'Johanna' });
  });

  it.each<[string, unknown]>([
    ['an object', { level: 3 }],
    ['an array', ['a', 'b']],
    ['false', false],
    ['zero', 0],
    ['an empty string', ''],
  ])('passes a custom claim through whatever its JSON type: %s', (_, value) => {
    expect(release({ profile: { employee_id: value }, grantedScopes: ['employee'] })).toEqual({ employee_id: value });
  });

  it('passes values through without copying or coercing them', () => {
    const address = { street_address: '1 Main St', postal_code: 12345 };
    const released = release({ profile: { address, updated_at: 0 }, grantedScopes: ['address', 'profile'] });
    expect(released['address']).toBe(address);
    expect(released['updated_at']).toBe(0);
  });

  it('reads own properties only: an inherited value or an Object.prototype member is never released', () => {
    const profile = Object.create({ name: 'inherited', email: 'inherited@example.com' }) as Record<string, unknown>;
    const released = release({
      profile,
      grantedScopes: ['profile', 'email'],
      claimsRequest: claims({ userinfo: { constructor: null } }),
      grantedClaims: ['constructor'],
    });
    expect(released).toEqual({});
    expect(Object.keys(released)).toEqual([]);
  });
});

describe('releaseClaims: deterministic order', () => {
  it('orders keys by the registry, whatever the order of the profile, scopes and request', () => {
    const shuffledProfile = Object.fromEntries(Object.entries(PROFILE).reverse());
    const a = release({
      grantedScopes: ['openid', 'profile', 'email', 'employee'],
      claimsRequest: claims({ userinfo: { cost_center: null, 'name#fr': null } }),
      grantedClaims: ['cost_center'],
    });
    const b = release({
      profile: shuffledProfile,
      grantedScopes: ['employee', 'email', 'profile', 'openid'],
      claimsRequest: claims({ userinfo: { 'name#fr': null, cost_center: null } }),
      grantedClaims: ['cost_center'],
    });
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    expect(Object.keys(a)).toEqual([
      'name',
      'name#fr',
      'given_name',
      'family_name',
      'nickname',
      'email',
      'email_verified',
      'locale',
      'updated_at',
      'cost_center',
      'employee_id',
      'department',
    ]);
  });
});

describe('releaseClaims properties', () => {
  const SCOPES = ['openid', 'profile', 'email', 'address', 'phone', 'offline_access', 'employee', 'api:read'];
  const NAMES = [
    ...registry.supportedClaims(),
    'acr',
    'iss',
    'aud',
    'password_hash',
    'toString',
    '__proto__',
    'name#fr',
    'name#fr-CA',
    'family_name#ja-Kana-JP',
    'email#x-private',
    'sub#fr',
    'acr#fr',
    'name#',
    'department#de',
  ];
  const TAGS = ['fr', 'fr-CA', 'FR', 'ja-Kana-JP', 'ja', 'de', 'en-US', 'not a tag', '*'];

  const name = fc.constantFrom(...NAMES);
  /** A profile with well-typed values for most claims, so that runs release something... */
  const wellTyped: Record<string, unknown> = {
    ...PROFILE,
    middle_name: 'Q',
    preferred_username: 'jane',
    profile: 'https://example.com/jane',
    picture: 'https://example.com/jane.png',
    website: 'https://jane.example',
    gender: 'female',
    birthdate: '1990-01-01',
    zoneinfo: 'Europe/Paris',
    'given_name#fr-CA': 'Jeanne',
    'department#de': 'F&E',
    'email#x-private': 'x@example.com',
    'sub#fr': 'u-1',
    'acr#fr': 'or',
  };
  /** ...and random keys and values mixed in, so that wrong types and odd names are tried too. */
  const junk = fc.dictionary(
    fc.oneof(name, fc.tuple(fc.constantFrom(...NAMES), fc.constantFrom(...TAGS)).map(([n, t]) => `${n}#${t}`)),
    fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constant(undefined)),
    { maxKeys: 10 },
  );
  const profile = fc
    .tuple(fc.subarray(Object.keys(wellTyped)), junk)
    .map(([keys, extra]) => ({ ...Object.fromEntries(keys.map((k) => [k, wellTyped[k]])), ...extra }));
  const member = fc.dictionary(name, fc.constant(null), { maxKeys: 10 });
  const input = fc.record({
    target: fc.constantFrom('id_token' as const, 'userinfo' as const),
    profile,
    grantedScopes: fc.subarray(SCOPES),
    claimsRequest: fc.option(fc.record({ userinfo: member, id_token: member }, { requiredKeys: [] }), { nil: undefined }),
    grantedClaims: fc.option(fc.subarray(NAMES), { nil: undefined }),
    scopeClaimsInIdToken: fc.boolean(),
    claimsLocales: fc.option(fc.subarray(TAGS), { nil: undefined }),
  });

  it('never releases a claim outside the granted scopes and claims, sub, or an unknown claim', () => {
    let releasedSomething = 0;
    let releasedTagged = 0;
    fc.assert(
      fc.property(input, (i) => {
        const released = releaseClaims({ ...i, registry });
        if (Object.keys(released).length > 0) releasedSomething++;
        if (Object.keys(released).some((k) => k.includes('#'))) releasedTagged++;
        // Consent is per claim, not per language: a granted `name#fr` grants `name`.
        const grantedOneByOne = (i.grantedClaims ?? []).map((n) => n.split('#')[0]);
        const allowed = new Set([...registry.claimsForScopes(i.grantedScopes), ...grantedOneByOne]);
        const requested = Object.keys(i.claimsRequest?.[i.target] ?? {}).map((n) => n.split('#')[0]);
        for (const [key, value] of Object.entries(released)) {
          const base = key.split('#')[0];
          expect(base).not.toBe('sub');
          expect(registry.isKnownClaim(key)).toBe(true);
          expect(allowed.has(base)).toBe(true);
          if (i.target === 'id_token' && !i.scopeClaimsInIdToken) expect(requested).toContain(base);
          if (!grantedOneByOne.includes(base)) expect(registry.claimsForScopes(i.grantedScopes).has(base)).toBe(true);
          expect(Object.hasOwn(i.profile, key)).toBe(true);
          expect(value).toBe(i.profile[key]);
          expect(value).not.toBeNull();
          expect(value).not.toBeUndefined();
        }
      }),
      { numRuns: 2000 },
    );
    // The property is not vacuous: a good share of the runs released claims.
    expect(releasedSomething).toBeGreaterThan(500);
    expect(releasedTagged).toBeGreaterThan(100);
  });

  it('gives the same output, in the same key order, for any order of its inputs', () => {
    fc.assert(
      fc.property(input, (i) => {
        const reversed = {
          ...i,
          profile: Object.fromEntries(Object.entries(i.profile).reverse()),
          grantedScopes: [...i.grantedScopes].reverse(),
          grantedClaims: i.grantedClaims && [...i.grantedClaims].reverse(),
        };
        expect(JSON.stringify(releaseClaims({ ...reversed, registry }))).toBe(JSON.stringify(releaseClaims({ ...i, registry })));
      }),
      { numRuns: 500 },
    );
  });
});
