import { z } from 'zod';
import { newEventId } from './event-id';

describe('newEventId', () => {
  it('makes valid UUIDv7s that sort in creation order, within one millisecond too', () => {
    const ids = Array.from({ length: 5000 }, () => newEventId());

    expect(ids.every((id) => z.uuid({ version: 'v7' }).safeParse(id).success)).toBe(true);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('keeps increasing when the clock steps back', () => {
    const now = jest.spyOn(Date, 'now');
    try {
      now.mockReturnValue(2_000_000_000_000);
      const before = newEventId();
      now.mockReturnValue(1_900_000_000_000);
      expect(newEventId() > before).toBe(true);
    } finally {
      now.mockRestore();
    }
  });
});
