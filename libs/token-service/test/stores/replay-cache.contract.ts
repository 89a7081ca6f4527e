import type { ReplayCache } from '../../src/ports/replay-cache';
import { useFreshStore, type MakeStore } from './store-harness';

export function describeReplayCacheContract(make: MakeStore<ReplayCache>): void {
  describe('ReplayCache contract', () => {
    const ctx = useFreshStore(make);
    const exp = 4_102_444_800;

    it('accepts a key once and reports every later use as a replay', async () => {
      const { store } = ctx();
      expect(await store.useOnce('client-a:jti-1', exp)).toBe(true);
      expect(await store.useOnce('client-a:jti-1', exp)).toBe(false);
      expect(await store.useOnce('client-a:jti-1', exp + 3600)).toBe(false);
    });

    it('keeps keys apart: another key, or one differing only in case, is not a replay', async () => {
      const { store } = ctx();
      expect(await store.useOnce('client-a:jti-1', exp)).toBe(true);
      expect(await store.useOnce('client-b:jti-1', exp)).toBe(true);
      expect(await store.useOnce('client-a:JTI-1', exp)).toBe(true);
    });

    it('tells whether a key was used, without using it', async () => {
      const { store } = ctx();
      expect(await store.seen('client-a:jti-2')).toBe(false);
      expect(await store.seen('client-a:jti-2')).toBe(false);
      expect(await store.useOnce('client-a:jti-2', exp)).toBe(true);
      expect(await store.seen('client-a:jti-2')).toBe(true);
      expect(await store.seen('client-a:JTI-2')).toBe(false);
    });

    it('lets exactly one of 10 concurrent uses of the same key through', async () => {
      const { store } = ctx();
      const results = await Promise.all(
        Array.from({ length: 10 }, () => store.useOnce('client-a:raced-jti', exp)),
      );
      expect(results.filter((ok) => ok)).toHaveLength(1);
      expect(results.filter((ok) => !ok)).toHaveLength(9);
    });

    describe('deleteExpired', () => {
      it('forgets expired keys, which can then be used again, and returns how many', async () => {
        const { store } = ctx();
        const now = 4_102_444_000;
        await store.useOnce('expired-1', now - 600);
        await store.useOnce('expired-2', now - 1);
        expect(await store.deleteExpired(now, 1000)).toBe(2);
        expect(await store.useOnce('expired-1', now + 600)).toBe(true);
        expect(await store.useOnce('expired-2', now + 600)).toBe(true);
      });

      it('keeps keys until their expiry has passed: they are still replays', async () => {
        const { store } = ctx();
        const now = 4_102_444_000;
        await store.useOnce('at-now', now);
        await store.useOnce('live', now + 600);
        expect(await store.deleteExpired(now, 1000)).toBe(0);
        expect(await store.useOnce('at-now', now + 600)).toBe(false);
        expect(await store.useOnce('live', now + 600)).toBe(false);
      });

      it('forgets at most `limit` keys per call', async () => {
        const { store } = ctx();
        const now = 4_102_444_000;
        for (let i = 0; i < 3; i++) await store.useOnce(`expired-${i}`, now - 1);
        expect([await store.deleteExpired(now, 2), await store.deleteExpired(now, 2), await store.deleteExpired(now, 2)]).toEqual([2, 1, 0]);
      });
    });
  });
}
