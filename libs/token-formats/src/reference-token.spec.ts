import * as nodeCrypto from 'node:crypto';
import {
  generateReferenceToken,
  hashSecret,
  kindOf,
  safeEqual,
  storageKey,
  TOKEN_PREFIXES,
  verifySecret,
  type ReferenceTokenKind,
} from './reference-token';

const KINDS = Object.keys(TOKEN_PREFIXES) as ReferenceTokenKind[];

const ORDERED: ReferenceTokenKind[] = ['access_token', 'authorization_code'];
const PLAIN = KINDS.filter((kind) => !ORDERED.includes(kind));

describe.each(ORDERED)('generateReferenceToken(%s), a short-lived value', (kind) => {
  it('starts with the kind prefix followed by 16 hex digits of time and 256 random bits in base64url', () => {
    const { value } = generateReferenceToken(kind);

    expect(value.startsWith(TOKEN_PREFIXES[kind])).toBe(true);
    const body = value.slice(TOKEN_PREFIXES[kind].length);
    expect(body).toMatch(/^[0-9a-f]{16}[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(body.slice(16), 'base64url')).toHaveLength(32);
  });

  it('has storage keys that sort in creation order, led by the time part', () => {
    const tokens = Array.from({ length: 500 }, () => generateReferenceToken(kind));
    const keys = tokens.map((token) => token.storageKey);

    expect([...keys].sort()).toEqual(keys);
    const [first] = tokens;
    expect(first.storageKey).toBe(
      first.value.slice(TOKEN_PREFIXES[kind].length, TOKEN_PREFIXES[kind].length + 16) +
        nodeCrypto.createHash('sha256').update(first.value).digest('base64url'),
    );
    expect(first.storageKey.length).toBeLessThanOrEqual(64);
  });
});

describe.each(PLAIN)('generateReferenceToken(%s), a long-lived credential', (kind) => {
  it('is the kind prefix and 256 random bits in base64url, stored under the bare hash, as releases before the time part expect', () => {
    const { value, storageKey: key } = generateReferenceToken(kind);

    expect(value.startsWith(TOKEN_PREFIXES[kind])).toBe(true);
    const random = value.slice(TOKEN_PREFIXES[kind].length);
    expect(random).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(random, 'base64url')).toHaveLength(32);
    expect(key).toBe(nodeCrypto.createHash('sha256').update(value).digest('base64url'));
  });
});

describe.each(KINDS)('generateReferenceToken(%s)', (kind) => {

  it('is read back as its own kind', () => {
    expect(kindOf(generateReferenceToken(kind).value)).toBe(kind);
  });

  it('never produces the same value twice', () => {
    const values = new Set(Array.from({ length: 100 }, () => generateReferenceToken(kind).value));

    expect(values.size).toBe(100);
  });

  it('comes with the storage key of its value, which is not the value', () => {
    const token = generateReferenceToken(kind);

    expect(token.storageKey).toBe(storageKey(token.value));
    expect(token.storageKey).not.toBe(token.value);
    expect(token.storageKey).not.toContain(token.value.slice(TOKEN_PREFIXES[kind].length));
  });
});

describe('storageKey', () => {
  it('is the base64url SHA-256 of the whole value, prefix included', () => {
    const value = 'tsr_at_abc';

    expect(storageKey(value)).toBe(nodeCrypto.createHash('sha256').update(value).digest('base64url'));
    expect(storageKey(value)).not.toBe(storageKey('tsr_rt_abc'));
  });

  it('keeps the bare hash for a value without a time part, so tokens issued before it stay valid', () => {
    const legacy = `tsr_rt_${nodeCrypto.randomBytes(32).toString('base64url')}`;

    expect(storageKey(legacy)).toBe(nodeCrypto.createHash('sha256').update(legacy).digest('base64url'));
  });

  it('leads with the time part of a bare ordered value too (challenges, OP session cookies)', () => {
    const value = `0123456789abcdef${nodeCrypto.randomBytes(32).toString('base64url')}`;

    expect(storageKey(value)).toBe(`0123456789abcdef${nodeCrypto.createHash('sha256').update(value).digest('base64url')}`);
  });

  it('gives values that differ only after the time part different keys', () => {
    const time = '0123456789abcdef';
    const a = `tsr_at_${time}${nodeCrypto.randomBytes(32).toString('base64url')}`;
    const b = `tsr_at_${time}${nodeCrypto.randomBytes(32).toString('base64url')}`;

    expect(storageKey(a)).not.toBe(storageKey(b));
    expect(storageKey(a).startsWith(time)).toBe(true);
  });

  it('is deterministic, so the store can look a token up by it', () => {
    const { value } = generateReferenceToken('refresh_token');

    expect(storageKey(value)).toBe(storageKey(value));
  });
});

describe('kindOf', () => {
  it.each([
    ['ory_at_abc', undefined],
    ['TSR_AT_abc', undefined],
    ['tsr_xx_abc', undefined],
    ['tsr_', undefined],
    ['', undefined],
    ['eyJhbGciOiJFUzI1NiJ9.e30.sig', undefined],
    ['tsr_rat_abc', 'registration_access_token'],
    ['tsr_iat_abc', 'initial_access_token'],
    ['tsr_at_abc', 'access_token'],
  ])('reads %p as %p', (value, kind) => {
    expect(kindOf(value)).toBe(kind);
  });

  it('returns undefined for a non-string', () => {
    expect(kindOf(undefined as unknown as string)).toBeUndefined();
  });
});

describe('safeEqual', () => {
  it.each([
    ['abc', 'abc', true],
    ['', '', true],
    ['abc', 'abd', false],
    ['abc', 'abcd', false],
    ['abcd', 'abc', false],
    ['abc', '', false],
    ['é', 'e', false],
    ['é', 'é', true],
  ])('safeEqual(%p, %p) is %p', (a, b, expected) => {
    expect(safeEqual(a, b)).toBe(expected);
  });

  it('compares equal-length strings with timingSafeEqual and different lengths without comparing content', () => {
    // The module object the implementation calls into (the namespace import above is a copy).
    const spy = jest.spyOn(jest.requireActual<typeof nodeCrypto>('node:crypto'), 'timingSafeEqual');
    try {
      safeEqual('abc', 'abd');
      expect(spy).toHaveBeenCalledTimes(1);
      safeEqual('abc', 'abcd');
      expect(spy).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
    }
  });

  it('returns false rather than throwing for non-strings', () => {
    expect(safeEqual(undefined as unknown as string, 'a')).toBe(false);
  });
});

describe('client secrets', () => {
  it('verify against their stored hash', () => {
    const { value } = generateReferenceToken('client_secret');
    const hash = hashSecret(value);

    expect(verifySecret(value, hash)).toBe(true);
  });

  it('store a hash that is not the secret, and the same hash every time', () => {
    const { value } = generateReferenceToken('client_secret');

    expect(hashSecret(value)).not.toBe(value);
    expect(hashSecret(value)).toBe(hashSecret(value));
  });

  it('reject a wrong secret of the same length', () => {
    const { value } = generateReferenceToken('client_secret');
    const wrong = value.slice(0, -1) + (value.endsWith('A') ? 'B' : 'A');

    expect(verifySecret(wrong, hashSecret(value))).toBe(false);
    expect(verifySecret(generateReferenceToken('client_secret').value, hashSecret(value))).toBe(false);
  });

  it('reject a secret that differs in length', () => {
    const { value } = generateReferenceToken('client_secret');
    const hash = hashSecret(value);

    expect(verifySecret(value + 'x', hash)).toBe(false);
    expect(verifySecret(value.slice(0, -1), hash)).toBe(false);
    expect(verifySecret('', hash)).toBe(false);
  });

  it('reject anything when the stored hash is malformed', () => {
    const { value } = generateReferenceToken('client_secret');

    expect(verifySecret(value, '')).toBe(false);
    expect(verifySecret(value, value)).toBe(false);
    expect(verifySecret(value, hashSecret(value).slice(1))).toBe(false);
  });

  it('refuse to hash a short secret, which a fast hash would not protect', () => {
    expect(() => hashSecret('s3cret')).toThrow(TypeError);
  });
});
