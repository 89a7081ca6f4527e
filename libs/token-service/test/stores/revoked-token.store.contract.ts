import type { RevokedTokenStore } from '../../src/ports/access-token.store';
import { runAndRollBack, useFreshStore, type MakeStore } from './store-harness';

export function describeRevokedTokenStoreContract(make: MakeStore<RevokedTokenStore>): void {
  describe('RevokedTokenStore contract', () => {
    const ctx = useFreshStore(make);
    const exp = 4_102_444_800;

    it('reports a jti as revoked only after it was added', async () => {
      const { store } = ctx();
      expect(await store.isRevoked('jti-1')).toBe(false);
      await store.add('jti-1', exp);
      expect(await store.isRevoked('jti-1')).toBe(true);
      expect(await store.isRevoked('jti-2')).toBe(false);
    });

    it('matches the jti exactly (case and whitespace matter)', async () => {
      const { store } = ctx();
      await store.add('Jti-1', exp);
      expect(await store.isRevoked('jti-1')).toBe(false);
      expect(await store.isRevoked('Jti-1 ')).toBe(false);
    });

    it('revoking the same jti twice is revoking it once (RFC 7009): no error', async () => {
      const { store } = ctx();
      await store.add('jti-1', exp);
      await expect(store.add('jti-1', exp)).resolves.toBeUndefined();
      expect(await store.isRevoked('jti-1')).toBe(true);
    });

    it('a repeated add inside a unit of work leaves the transaction usable, and everything commits', async () => {
      const { store, uow } = ctx();
      await store.add('committed-before', exp);
      await uow.run(async (tx) => {
        await store.add('committed-before', exp, tx);
        await store.add('in-tx', exp, tx);
        await store.add('in-tx', exp, tx);
        // A failed statement would abort a PostgreSQL transaction; this write proves it did not.
        await store.add('after-duplicates', exp, tx);
      });
      for (const jti of ['committed-before', 'in-tx', 'after-duplicates']) {
        expect({ jti, revoked: await store.isRevoked(jti) }).toEqual({ jti, revoked: true });
      }
    });

    it('an add inside a unit of work that throws afterwards is rolled back', async () => {
      const { store, uow } = ctx();
      await runAndRollBack(uow, (tx) => store.add('jti-1', exp, tx));
      expect(await store.isRevoked('jti-1')).toBe(false);
    });

    describe('deleteExpired', () => {
      it('forgets only jtis whose token expiry has passed and returns how many', async () => {
        const { store } = ctx();
        const now = 4_102_444_000;
        await store.add('expired-1', now - 600);
        await store.add('expired-2', now - 1);
        await store.add('at-now', now);
        await store.add('live', now + 600);
        expect(await store.deleteExpired(now, 1000)).toBe(2);
        expect(await store.isRevoked('expired-1')).toBe(false);
        expect(await store.isRevoked('expired-2')).toBe(false);
        // A token still valid at `now` must stay revoked: forgetting early would revive it.
        expect(await store.isRevoked('at-now')).toBe(true);
        expect(await store.isRevoked('live')).toBe(true);
      });

      it('returns 0 when nothing has expired', async () => {
        const { store } = ctx();
        await store.add('live', 4_102_444_001);
        expect(await store.deleteExpired(4_102_444_000, 1000)).toBe(0);
      });

      it('forgets at most `limit` per call, the earliest calls never touching a live one', async () => {
        const { store } = ctx();
        const now = 4_102_444_000;
        for (let i = 0; i < 5; i++) await store.add(`expired-${i}`, now - 1 - i);
        await store.add('live', now + 600);
        expect([await store.deleteExpired(now, 2), await store.deleteExpired(now, 2), await store.deleteExpired(now, 2), await store.deleteExpired(now, 2)]).toEqual([2, 2, 1, 0]);
        expect(await store.isRevoked('live')).toBe(true);
      });
    });
  });
}
