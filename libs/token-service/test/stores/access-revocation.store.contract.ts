import type { AccessRevocation, AccessRevocationStore } from '../../src/ports/access-revocation.store';
import { runAndRollBack, useFreshStore, type MakeStore } from './store-harness';

export function aRevocation(overrides: Partial<AccessRevocation> = {}): AccessRevocation {
  return {
    revocationId: '5f0c6a52-3c5e-4a4f-9d43-0b9b1a7e2c11',
    clientId: 'app',
    sub: 'user-1',
    requestedAt: 4_102_440_000,
    grants: 0,
    sessions: 0,
    completedAt: 4_102_440_002,
    ...overrides,
  };
}

export function describeAccessRevocationStoreContract(make: MakeStore<AccessRevocationStore>): void {
  describe('AccessRevocationStore contract', () => {
    const ctx = useFreshStore(make);

    it('claims a revocation once: true, then false for the same id whatever it says, keeping the first', async () => {
      const { store, uow } = ctx();
      const first = aRevocation();
      expect(await uow.run((tx) => store.claim(first, tx))).toBe(true);
      expect(await uow.run((tx) => store.claim(aRevocation({ clientId: 'other', sub: undefined, grants: 9 }), tx))).toBe(false);
      expect(await store.find(first.revocationId)).toEqual(first);
    });

    it('records the outcome of a claimed revocation, and round-trips a client-wide one (no sub) with numbers as numbers', async () => {
      const { store, uow } = ctx();
      const clientWide = aRevocation({ sub: undefined, revocationId: '0d4f1b0e-8a53-4d8e-9f5e-6c1d2b3a4f50' });
      await uow.run(async (tx) => {
        await store.claim(clientWide, tx);
        await store.recordOutcome(clientWide.revocationId, { grants: 12, sessions: 3 }, tx);
      });
      const found = await store.find(clientWide.revocationId);
      expect(found).toEqual({ ...clientWide, grants: 12, sessions: 3 });
      expect(found?.sub).toBeUndefined();
      expect([typeof found?.requestedAt, typeof found?.completedAt]).toEqual(['number', 'number']);
    });

    it('forgets a claim rolled back with its unit of work, which can then be claimed again', async () => {
      const { store, uow } = ctx();
      await runAndRollBack(uow, async (tx) => {
        expect(await store.claim(aRevocation(), tx)).toBe(true);
        expect(await store.find(aRevocation().revocationId, tx)).toEqual(aRevocation());
      });
      expect(await store.find(aRevocation().revocationId)).toBeUndefined();
      expect(await uow.run((tx) => store.claim(aRevocation(), tx))).toBe(true);
    });

    it('finds nothing for an unknown id', async () => {
      const { store } = ctx();
      expect(await store.find('00000000-0000-4000-8000-000000000000')).toBeUndefined();
    });
  });
}
