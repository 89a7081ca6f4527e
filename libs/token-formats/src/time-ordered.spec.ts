import { ORDER_PREFIX_LENGTH, orderPrefixOf, orderedRandomId, uuidV7 } from './time-ordered';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function withClock<T>(ms: number, run: () => T): T {
  const now = jest.spyOn(Date, 'now').mockReturnValue(ms);
  try {
    return run();
  } finally {
    now.mockRestore();
  }
}

describe('uuidV7', () => {
  it('makes valid UUIDv7s that sort in creation order, within one millisecond too', () => {
    const ids = Array.from({ length: 5000 }, () => uuidV7());

    expect(ids.every((id) => UUID_V7.test(id))).toBe(true);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('carries the creation time in its first 48 bits', () => {
    const id = withClock(2_100_000_000_123, () => uuidV7());

    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBeGreaterThanOrEqual(2_100_000_000_123);
  });
});

describe('orderedRandomId', () => {
  it('is 16 hex digits of time followed by 256 random bits in base64url', () => {
    const id = orderedRandomId();

    expect(id).toMatch(/^[0-9a-f]{16}[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(id.slice(ORDER_PREFIX_LENGTH), 'base64url')).toHaveLength(32);
    expect(orderedRandomId(16)).toMatch(/^[0-9a-f]{16}[A-Za-z0-9_-]{22}$/);
  });

  it('sorts in creation order, byte for byte, within one millisecond too', () => {
    const ids = Array.from({ length: 5000 }, () => orderedRandomId());

    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids.map((id) => id.slice(ORDER_PREFIX_LENGTH))).size).toBe(ids.length);
  });

  it('begins with the creation time in milliseconds', () => {
    const id = withClock(2_200_000_000_000, () => orderedRandomId());

    expect(parseInt(id.slice(0, 12), 16)).toBeGreaterThanOrEqual(2_200_000_000_000);
    expect(parseInt(id.slice(0, 12), 16)).toBeLessThan(2_200_000_000_000 + 100);
  });

  it('keeps increasing when the clock steps back, and when one millisecond runs out of counter', () => {
    const before = withClock(2_300_000_000_000, () => orderedRandomId());
    const stepped = withClock(2_299_000_000_000, () => Array.from({ length: 5000 }, () => orderedRandomId()));

    expect([before, ...stepped].every((id, i, all) => i === 0 || id > all[i - 1])).toBe(true);
  });

  it('shares its clock with uuidV7: ids of both kinds made in turn keep their own order', () => {
    const mixed = Array.from({ length: 100 }, (_, i) => (i % 2 ? uuidV7() : orderedRandomId()));
    const uuids = mixed.filter((_, i) => i % 2);
    const ordered = mixed.filter((_, i) => i % 2 === 0);

    expect([...uuids].sort()).toEqual(uuids);
    expect([...ordered].sort()).toEqual(ordered);
  });
});

describe('orderPrefixOf', () => {
  it('reads the time part of an ordered id', () => {
    const id = orderedRandomId();

    expect(orderPrefixOf(id)).toBe(id.slice(0, ORDER_PREFIX_LENGTH));
  });

  it.each([
    ['a plain 256-bit random id', Buffer.alloc(32, 7).toString('base64url')],
    ['an ordered id with 128 random bits', `0123456789abcdef${Buffer.alloc(16, 7).toString('base64url')}`],
    ['an upper-case time part', `0123456789ABCDEF${Buffer.alloc(32, 7).toString('base64url')}`],
    ['a time part that is not hex', `0123456789abcdeg${Buffer.alloc(32, 7).toString('base64url')}`],
    ['a longer value', `0123456789abcdef${Buffer.alloc(32, 7).toString('base64url')}x`],
    ['the empty string', ''],
  ])('finds none in %s', (_, body) => {
    expect(orderPrefixOf(body)).toBeUndefined();
  });
});
