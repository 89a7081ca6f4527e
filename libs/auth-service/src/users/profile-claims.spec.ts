import { mergeClaims, validateProfileClaims } from './profile-claims';

describe('profile claims (OIDC Core section 5.1)', () => {
  it('accepts the standard claims with their types, language-tagged variants and custom claims', () => {
    const claims = {
      name: 'Ada',
      'name#ja-Kana-JP': 'エイダ',
      picture: 'https://example.com/a.png',
      birthdate: '1815-12-10',
      phone_number: '+44 20 7946 0958',
      phone_number_verified: false,
      address: { locality: 'London', country: 'GB' },
      locale: 'en-GB',
      department: { id: 7 },
    };
    expect(validateProfileClaims(claims)).toEqual(claims);
  });

  it.each([
    [{ email: 'a@b.c' }, /cannot be set/],
    [{ sub: 'x' }, /cannot be set/],
    [{ iss: 'x' }, /not a claim name/],
    [{ 'Bad-Name': 'x' }, /not a claim name/],
    [{ name: 42 }, /must be a string/],
    [{ website: 'javascript:alert(1)' }, /http\(s\) URL/],
    [{ birthdate: '10/12/1815' }, /YYYY-MM-DD/],
    [{ phone_number_verified: 'yes' }, /true or false/],
    [{ address: { planet: 'Mars' } }, /not an address field/],
    [{ big: 'x'.repeat(20_000) }, /at most 16384 bytes/],
    [[], /JSON object/],
  ])('refuses %j', (input, message) => {
    expect(() => validateProfileClaims(input)).toThrow(message);
  });

  it('removes a claim set to null', () => {
    expect(mergeClaims({ name: 'Ada', locale: 'en' }, { locale: null, nickname: 'A' })).toEqual({ name: 'Ada', nickname: 'A' });
  });
});
