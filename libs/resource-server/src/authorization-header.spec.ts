import { bearerTokenOf } from './authorization-header';
import { TokenError } from './token-error';

describe('bearerTokenOf (RFC 6750 §2.1)', () => {
  it.each([
    ['Bearer mF_9.B5f-4.1JqM', 'mF_9.B5f-4.1JqM'],
    ['bearer abc', 'abc'],
    ['BEARER abc', 'abc'],
    ['Bearer   abc', 'abc'],
    ['Bearer a+b/c~d==', 'a+b/c~d=='],
    ['  Bearer abc  ', 'abc'],
  ])('reads %j as the token %j', (header, token) => {
    expect(bearerTokenOf(header)).toBe(token);
  });

  it.each([[undefined], [''], ['   '], ['Basic dXNlcjpwYXNz'], ['DPoP abc'], ['Bearer:abc'], ['Bearerabc']])(
    'finds no bearer credentials in %j (another scheme counts as none, §3.1)',
    (header) => {
      expect(bearerTokenOf(header)).toBeUndefined();
    },
  );

  it.each([['Bearer'], ['Bearer '.trimEnd() + '\t'], ['Bearer\tabc'], ['Bearer a b'], ['Bearer a=b'], ['Bearer "abc"'], ['Bearer abc,def'], ['Bearer ab%63'], ['Bearer =abc']])(
    'refuses the malformed Bearer header %j with invalid_request (400)',
    (header) => {
      let error: unknown;
      try {
        bearerTokenOf(header);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(TokenError);
      expect({ code: (error as TokenError).code, status: (error as TokenError).status }).toEqual({ code: 'invalid_request', status: 400 });
      expect((error as TokenError).message).not.toContain('abc');
    },
  );
});
