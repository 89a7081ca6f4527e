import { backoffDelay } from './queue-driver';

describe('backoffDelay', () => {
  it("doubles the policy's backoff after each failed attempt, as BullMQ's exponential backoff does", () => {
    const policy = { attempts: 5, backoffMs: 1000 };
    expect([1, 2, 3, 4].map((attempt) => backoffDelay(policy, attempt))).toEqual([1000, 2000, 4000, 8000]);
  });

  it('never exceeds the longest delay a Node.js timer takes (a longer one would fire at once)', () => {
    const policy = { attempts: 40, backoffMs: 1000 };
    expect(backoffDelay(policy, 30)).toBe(2 ** 31 - 1);
  });
});
