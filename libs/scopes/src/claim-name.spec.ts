import { bestLanguageMatch, isLanguageTag, splitClaimName } from './claim-name';

describe('splitClaimName (OIDC Core §5.2 claim#language-tag)', () => {
  it.each([
    ['name', { base: 'name' }],
    ['family_name#ja-Kana-JP', { base: 'family_name', tag: 'ja-Kana-JP' }],
    ['name#fr', { base: 'name', tag: 'fr' }],
    ['website#x-private', { base: 'website', tag: 'x-private' }],
    ['', { base: '' }],
  ])('splits %j', (name, expected) => {
    expect(splitClaimName(name)).toEqual(expected);
  });

  it.each([['name#'], ['#fr'], ['name#fr#ca'], ['name#fr_CA'], ['name#123'], ['name#toolongsubtag'], ['name# fr']])(
    'refuses %j: what follows # is not a language tag, or nothing precedes it',
    (name) => {
      expect(splitClaimName(name)).toBeUndefined();
    },
  );
});

describe('isLanguageTag', () => {
  it.each([
    ['fr', true],
    ['fr-CA', true],
    ['zh-Hant-TW', true],
    ['de-CH-1996', true],
    ['i-klingon', true],
    ['fr_CA', false],
    ['', false],
    ['-fr', false],
    ['fr-', false],
    ['*', false],
  ])('%j → %s', (tag, expected) => {
    expect(isLanguageTag(tag)).toBe(expected);
  });
});

describe('bestLanguageMatch', () => {
  it.each<[string, string, string[], string | undefined]>([
    ['the exact tag', 'fr-CA', ['fr', 'fr-CA', 'en'], 'fr-CA'],
    ['the exact tag, ignoring case (RFC 5646 §2.1.1)', 'ja-kana-jp', ['ja-Hani-JP', 'ja-Kana-JP'], 'ja-Kana-JP'],
    ['the tag the requested one extends (RFC 4647 lookup)', 'fr-CA', ['fr', 'en'], 'fr'],
    ['the longest such tag', 'zh-Hant-TW', ['zh', 'zh-Hant'], 'zh-Hant'],
    ['a lookup that drops a singleton with its subtag', 'de-CH-x-phonebk', ['de-CH', 'de'], 'de-CH'],
    ['the shortest tag extending the requested one (basic filtering)', 'fr', ['fr-CA-x-a', 'fr-CA', 'fr-BE'], 'fr-BE'],
    ['nothing for a sibling region', 'fr-CA', ['fr-FR'], undefined],
    ['nothing for a mere string prefix', 'fr', ['fro'], undefined],
    ['nothing for another language', 'de', ['fr', 'en'], undefined],
    ['nothing for a malformed request', 'fr_CA', ['fr_CA', 'fr'], undefined],
    ['nothing when nothing is available', 'fr', [], undefined],
  ])('picks %s', (_, requested, available, expected) => {
    expect(bestLanguageMatch(requested, available)).toBe(expected);
  });

  it('prefers an exact match to a lookup match whatever the order given', () => {
    expect(bestLanguageMatch('fr-CA', ['fr', 'fr-ca'])).toBe('fr-ca');
    expect(bestLanguageMatch('fr-CA', ['fr-ca', 'fr'])).toBe('fr-ca');
  });

  it('is deterministic when two variants differ only in case', () => {
    expect(bestLanguageMatch('fr', ['fr', 'FR'])).toBe(bestLanguageMatch('fr', ['FR', 'fr']));
  });
});
