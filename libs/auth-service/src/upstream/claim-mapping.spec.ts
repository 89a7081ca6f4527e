import { mapUpstreamClaims } from './claim-mapping';
import { DEFAULT_CLAIM_MAPPING } from './idp-input';

describe('mapUpstreamClaims', () => {
  const upstream = { sub: 'u1', email: ' Ada@Example.COM ', email_verified: true, name: 'Ada', picture: 'javascript:alert(1)', locale: 'en-GB', iss: 'https://idp' };
  const trusted = { claimMapping: { ...DEFAULT_CLAIM_MAPPING }, trustEmailVerified: true };

  it('keeps the email address only when the provider says it is verified and is trusted to', () => {
    expect(mapUpstreamClaims(trusted, upstream)).toEqual({ verifiedEmail: 'ada@example.com', claims: { name: 'Ada', locale: 'en-GB' } });
    expect(mapUpstreamClaims(trusted, { ...upstream, email_verified: 'true' }).verifiedEmail).toBe('ada@example.com');
  });

  it.each([
    ['an untrusted provider says it is verified', { ...trusted, trustEmailVerified: false }, upstream],
    ['a trusted provider says it is not verified', trusted, { ...upstream, email_verified: false }],
    ['a trusted provider says nothing about it', trusted, { ...upstream, email_verified: undefined }],
    ['a trusted provider says something that is not a yes', trusted, { ...upstream, email_verified: 'yes' }],
  ])('drops the address (not even kept as unverified) when %s', (_, idp, claims) => {
    expect(mapUpstreamClaims(idp, claims)).toEqual({ verifiedEmail: null, claims: { name: 'Ada', locale: 'en-GB' } });
  });

  it('follows a custom mapping and drops values that are not valid local claims', () => {
    const mapped = mapUpstreamClaims(
      { claimMapping: { mail: 'email', ok: 'email_verified', displayName: 'name', avatar: 'picture', dept: 'department' }, trustEmailVerified: true },
      { mail: 'not-an-address', ok: true, displayName: 'Grace', avatar: 'https://img.example/g.png', dept: { id: 7 }, name: 'ignored' },
    );
    expect(mapped).toEqual({ verifiedEmail: null, claims: { name: 'Grace', picture: 'https://img.example/g.png', department: { id: 7 } } });
    expect(mapUpstreamClaims({ claimMapping: { mail: 'email', ok: 'email_verified' }, trustEmailVerified: true }, { mail: 'g@corp.example', ok: 'true' }).verifiedEmail).toBe('g@corp.example');
  });
});
