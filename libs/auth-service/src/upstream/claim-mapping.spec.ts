import { mapUpstreamClaims } from './claim-mapping';
import { DEFAULT_CLAIM_MAPPING } from './idp-input';

describe('mapUpstreamClaims', () => {
  const upstream = { sub: 'u1', email: ' Ada@Example.COM ', email_verified: true, name: 'Ada', picture: 'javascript:alert(1)', locale: 'en-GB', iss: 'https://idp' };

  it('verifies the email address only when the provider says so and is trusted to', () => {
    expect(mapUpstreamClaims({ claimMapping: { ...DEFAULT_CLAIM_MAPPING }, trustEmailVerified: true }, upstream)).toEqual({
      email: 'ada@example.com',
      emailVerified: true,
      claims: { name: 'Ada', locale: 'en-GB' },
    });
    expect(mapUpstreamClaims({ claimMapping: { ...DEFAULT_CLAIM_MAPPING }, trustEmailVerified: false }, upstream).emailVerified).toBe(false);
    expect(mapUpstreamClaims({ claimMapping: { ...DEFAULT_CLAIM_MAPPING }, trustEmailVerified: true }, { ...upstream, email_verified: false }).emailVerified).toBe(false);
    expect(mapUpstreamClaims({ claimMapping: { ...DEFAULT_CLAIM_MAPPING }, trustEmailVerified: true }, { ...upstream, email_verified: 'yes' }).emailVerified).toBe(false);
    expect(mapUpstreamClaims({ claimMapping: { ...DEFAULT_CLAIM_MAPPING }, trustEmailVerified: true }, { ...upstream, email_verified: 'true' }).emailVerified).toBe(true);
  });

  it('follows a custom mapping and drops values that are not valid local claims', () => {
    const mapped = mapUpstreamClaims(
      { claimMapping: { mail: 'email', displayName: 'name', avatar: 'picture', dept: 'department' }, trustEmailVerified: true },
      { mail: 'not-an-address', displayName: 'Grace', avatar: 'https://img.example/g.png', dept: { id: 7 }, name: 'ignored' },
    );
    expect(mapped).toEqual({ email: null, emailVerified: false, claims: { name: 'Grace', picture: 'https://img.example/g.png', department: { id: 7 } } });
  });
});
