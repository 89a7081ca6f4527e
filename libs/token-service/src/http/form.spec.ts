import * as fc from 'fast-check';
import { InvalidRequestError } from '@tessera/oauth-errors';
import { readForm } from './form';

function refusalOf(fn: () => unknown): InvalidRequestError {
  try {
    fn();
  } catch (err) {
    if (err instanceof InvalidRequestError) return err;
    throw err;
  }
  throw new Error('expected an InvalidRequestError');
}

describe('readForm', () => {
  it('reads single-valued parameters into one', () => {
    const { one, many } = readForm(new URLSearchParams('grant_type=client_credentials&scope=api%3Aread+api%3Awrite'));

    expect({ ...one }).toEqual({ grant_type: 'client_credentials', scope: 'api:read api:write' });
    expect({ ...many }).toEqual({});
  });

  it.each([
    ['a JSON object', { grant_type: 'client_credentials' }],
    ['a string', 'grant_type=client_credentials'],
    ['a Buffer', Buffer.from('grant_type=client_credentials')],
    ['nothing', undefined],
    ['null', null],
  ])('refuses %s as the body with invalid_request (only application/x-www-form-urlencoded is read)', (_, body) => {
    const err = refusalOf(() => readForm(body));

    expect(err.code).toBe('invalid_request');
    expect(err.description).toContain('application/x-www-form-urlencoded');
  });

  it('refuses a parameter sent twice with invalid_request naming it (RFC 6749 §3.1)', () => {
    const err = refusalOf(() => readForm(new URLSearchParams('grant_type=authorization_code&code=a&code=b')));

    expect(err.code).toBe('invalid_request');
    expect(err.description).toBe("Parameter 'code' was sent more than once.");
  });

  it('refuses a parameter sent twice with the same value', () => {
    expect(() => readForm(new URLSearchParams('scope=openid&scope=openid'))).toThrow(InvalidRequestError);
  });

  it('collects every value of a parameter the endpoint declares repeatable (RFC 8707 resource)', () => {
    const body = new URLSearchParams('grant_type=client_credentials&resource=https%3A%2F%2Fa.test&resource=https%3A%2F%2Fb.test');

    const { one, many } = readForm(body, new Set(['resource']));

    expect({ ...one }).toEqual({ grant_type: 'client_credentials' });
    expect({ ...many }).toEqual({ resource: ['https://a.test', 'https://b.test'] });
  });

  it('puts a single value of a repeatable parameter in many, not in one', () => {
    const { one, many } = readForm(new URLSearchParams('resource=https%3A%2F%2Fa.test'), new Set(['resource']));

    expect(one['resource']).toBeUndefined();
    expect(many['resource']).toEqual(['https://a.test']);
  });

  it('still refuses repeats of parameters not declared repeatable when others are', () => {
    expect(() => readForm(new URLSearchParams('resource=a&resource=b'), new Set(['audience']))).toThrow('Parameter "resource" was sent more than once.');
  });

  it('treats a parameter without a value as omitted (RFC 6749 §3.1)', () => {
    const { one, many } = readForm(new URLSearchParams('grant_type=client_credentials&scope=&client_secret&resource='), new Set(['resource']));

    expect(Object.keys(one)).toEqual(['grant_type']);
    expect('scope' in one).toBe(false);
    expect('client_secret' in one).toBe(false);
    expect('resource' in many).toBe(false);
  });

  it('does not count an empty occurrence as a repeat of the same parameter', () => {
    expect({ ...readForm(new URLSearchParams('scope=&scope=openid')).one }).toEqual({ scope: 'openid' });
  });

  it('accepts 64 parameters and refuses the 65th with invalid_request', () => {
    const pairs = Array.from({ length: 64 }, (_, i): [string, string] => [`p${i}`, 'v']);
    expect(Object.keys(readForm(new URLSearchParams(pairs)).one)).toHaveLength(64);

    const err = refusalOf(() => readForm(new URLSearchParams([...pairs, ['p64', 'v']])));

    expect(err.code).toBe('invalid_request');
    expect(err.description).toBe('Too many parameters (at most 64).');
  });

  it('counts empty and repeatable parameters towards the limit', () => {
    const pairs = Array.from({ length: 65 }, (): [string, string] => ['resource', '']);

    expect(() => readForm(new URLSearchParams(pairs), new Set(['resource']))).toThrow('Too many parameters');
  });

  it('is not confused by parameters named like Object.prototype members', () => {
    const { one } = readForm(new URLSearchParams('__proto__=x&constructor=y&toString=z'));

    expect(one['__proto__']).toBe('x');
    expect(one['constructor']).toBe('y');
    expect(one['toString']).toBe('z');
    expect(Object.keys(one).sort()).toEqual(['__proto__', 'constructor', 'toString']);
  });

  it('property: for distinct keys with non-empty values, one holds exactly the input pairs', () => {
    const pairs = fc.uniqueArray(fc.tuple(fc.string(), fc.string({ minLength: 1 })), {
      selector: ([key]) => key,
      maxLength: 64,
    });

    fc.assert(
      fc.property(pairs, (input) => {
        const { one, many } = readForm(new URLSearchParams(input));

        expect({ ...one }).toEqual(Object.fromEntries(input));
        expect(Object.keys(one)).toHaveLength(input.length);
        expect(Object.keys(many)).toHaveLength(0);
      }),
    );
  });
});
