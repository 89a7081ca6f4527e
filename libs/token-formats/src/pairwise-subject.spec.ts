import { createHash } from 'node:crypto';
import * as fc from 'fast-check';
import { pairwiseSubject, sectorIdentifierOf } from './pairwise-subject';

const SALT = 'a-server-secret-of-32-characters';

describe('pairwiseSubject', () => {
  it('is base64url SHA-256 over sector_identifier || local_account_id || salt (OIDC Core §8.1)', () => {
    const expected = createHash('sha256').update(`client.example.orguser-1${SALT}`).digest('base64url');

    expect(
      pairwiseSubject({ sectorIdentifier: 'client.example.org', localSubject: 'user-1', salt: SALT }),
    ).toBe(expected);
  });

  it('takes the salt as a string or as bytes', () => {
    const args = { sectorIdentifier: 'client.example.org', localSubject: 'user-1' };

    expect(pairwiseSubject({ ...args, salt: Buffer.from(SALT) })).toBe(
      pairwiseSubject({ ...args, salt: SALT }),
    );
  });

  it('is stable, and differs per sector, per user and per salt', () => {
    const host = fc.domain();
    const subject = fc.string({ minLength: 1 });
    const salt = fc.uint8Array({ minLength: 16, maxLength: 32 }).map((bytes) => Buffer.from(bytes));
    fc.assert(
      fc.property(host, host, subject, subject, salt, salt, (h1, h2, s1, s2, k1, k2) => {
        const sub = pairwiseSubject({ sectorIdentifier: h1, localSubject: s1, salt: k1 });

        expect(pairwiseSubject({ sectorIdentifier: h1, localSubject: s1, salt: Buffer.from(k1) })).toBe(sub);
        expect(sub).toMatch(/^[A-Za-z0-9_-]{43}$/);
        if (h1 !== h2)
          expect(pairwiseSubject({ sectorIdentifier: h2, localSubject: s1, salt: k1 })).not.toBe(sub);
        if (s1 !== s2)
          expect(pairwiseSubject({ sectorIdentifier: h1, localSubject: s2, salt: k1 })).not.toBe(sub);
        if (!k1.equals(k2))
          expect(pairwiseSubject({ sectorIdentifier: h1, localSubject: s1, salt: k2 })).not.toBe(sub);
      }),
    );
  });

  it('does not reveal the local subject', () => {
    const sub = pairwiseSubject({
      sectorIdentifier: 'client.example.org',
      localSubject: 'alice',
      salt: SALT,
    });

    expect(sub).not.toContain('alice');
    expect(sub).not.toBe(createHash('sha256').update('client.example.orgalice').digest('base64url'));
  });

  it.each([
    ['an empty sector identifier', { sectorIdentifier: '', localSubject: 'u', salt: SALT }],
    ['an empty local subject', { sectorIdentifier: 'h', localSubject: '', salt: SALT }],
    ['a salt shorter than 16 bytes', { sectorIdentifier: 'h', localSubject: 'u', salt: 'short' }],
    ['an empty salt buffer', { sectorIdentifier: 'h', localSubject: 'u', salt: Buffer.alloc(0) }],
  ])('refuses %s', (_name, input) => {
    expect(() => pairwiseSubject(input)).toThrow(TypeError);
  });
});

describe('sectorIdentifierOf', () => {
  it('is the host of the sector_identifier_uri when there is one, whatever the redirect URIs', () => {
    expect(
      sectorIdentifierOf(
        ['https://a.example.com/cb', 'https://b.example.net/cb'],
        'https://sector.example.org/redirects.json',
      ),
    ).toBe('sector.example.org');
  });

  it('is the single host shared by every redirect URI otherwise', () => {
    expect(sectorIdentifierOf(['https://app.example.com/cb', 'https://app.example.com/other?x=1'])).toBe(
      'app.example.com',
    );
  });

  it('ignores the port and the case of the host', () => {
    expect(sectorIdentifierOf(['https://APP.example.com:8443/cb', 'https://app.example.com/cb'])).toBe(
      'app.example.com',
    );
    expect(sectorIdentifierOf([], 'https://Sector.Example.org:444/x')).toBe('sector.example.org');
  });

  it('refuses redirect URIs on several hosts without a sector_identifier_uri, naming them', () => {
    expect(() => sectorIdentifierOf(['https://a.example.com/cb', 'https://b.example.com/cb'])).toThrow(
      new TypeError(
        'sector_identifier_uri is required when the redirect_uris use several hosts (a.example.com, b.example.com)',
      ),
    );
  });

  it('refuses redirect URIs without a host (private-use schemes) without a sector_identifier_uri', () => {
    expect(() => sectorIdentifierOf(['com.example.app:/callback'])).toThrow(
      /sector_identifier_uri is required/,
    );
    expect(sectorIdentifierOf(['com.example.app:/callback'], 'https://example.com/sector.json')).toBe(
      'example.com',
    );
  });

  it('refuses no redirect URIs at all, and a sector_identifier_uri that is not a URL with a host', () => {
    expect(() => sectorIdentifierOf([])).toThrow(TypeError);
    expect(() => sectorIdentifierOf(['https://a.example.com/cb'], 'not a url')).toThrow(TypeError);
    expect(() => sectorIdentifierOf(['https://a.example.com/cb'], 'urn:example:sector')).toThrow(TypeError);
  });
});
