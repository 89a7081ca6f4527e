import type { Grant, GrantStore } from '../../src/ports/grant.store';
import { runAndRollBack, useFreshStore, type MakeStore } from './store-harness';
import { ACTIVITY_RESOLUTION_SECONDS } from '../../src/ports/op-session.store';

/** The user and client of aGrant's grants. */
const OWNER = { sub: 'user-1', clientId: 'app' };

export function aGrant(id: string, overrides: Partial<Grant> = {}): Grant {
  return {
    id,
    sub: 'user-1',
    clientId: 'app',
    scopes: ['openid', 'profile', 'api:read'],
    remember: true,
    createdAt: 4_102_440_000,
    lastUsedAt: 4_102_440_500,
    ...overrides,
  };
}

const aFreshGrant = (id: string, overrides: Partial<Grant> = {}): Grant => {
  const { lastUsedAt: _lastUsedAt, ...rest } = aGrant(id, overrides);
  return { ...rest, remember: false, scopes: [] };
};

export function describeGrantStoreContract(make: MakeStore<GrantStore>): void {
  describe('GrantStore contract', () => {
    const ctx = useFreshStore(make);

    describe('insert and find', () => {
      it('round-trips every field of a grant, revocation included', async () => {
        const { store } = ctx();
        const grant = aGrant('grant-1', { revokedAt: 4_102_441_000 });
        await store.insert(grant);
        expect(await store.find(grant.id)).toEqual(grant);
      });

      it('returns absent optional fields as absent (never null), false as false and [] as []', async () => {
        const { store } = ctx();
        const grant = aFreshGrant('grant-1');
        await store.insert(grant);
        const found = await store.find(grant.id);
        expect(found).toEqual(grant);
        expect(found?.lastUsedAt).toBeUndefined();
        expect(found?.revokedAt).toBeUndefined();
      });

      it('returns epoch-second fields as numbers, not strings', async () => {
        const { store } = ctx();
        await store.insert(aGrant('grant-1', { revokedAt: 4_102_441_000 }));
        const found = await store.find('grant-1');
        expect([typeof found?.createdAt, typeof found?.lastUsedAt, typeof found?.revokedAt]).toEqual([
          'number',
          'number',
          'number',
        ]);
      });

      it('finds nothing for an unknown id', async () => {
        const { store } = ctx();
        await store.insert(aGrant('grant-1'));
        expect(await store.find('grant-2')).toBeUndefined();
      });

      it('rejects a second grant with an existing id and keeps the first', async () => {
        const { store } = ctx();
        const first = aGrant('grant-1');
        await store.insert(first);
        await expect(
          store.insert(aGrant('grant-1', { sub: 'attacker', scopes: ['admin'] })),
        ).rejects.toThrow();
        expect(await store.find('grant-1')).toEqual(first);
      });
    });

    describe('markRevoked', () => {
      it('revokes a grant once: true the first time, false after, and the first instant is kept', async () => {
        const { store } = ctx();
        await store.insert(aGrant('grant-1'));
        expect(await store.markRevoked('grant-1', 4_102_441_000)).toBe(true);
        expect(await store.markRevoked('grant-1', 4_102_442_000)).toBe(false);
        expect(await store.find('grant-1')).toEqual(aGrant('grant-1', { revokedAt: 4_102_441_000 }));
      });

      it('returns false for a grant inserted already revoked, and keeps its revocation instant', async () => {
        const { store } = ctx();
        await store.insert(aGrant('grant-1', { revokedAt: 4_102_441_000 }));
        expect(await store.markRevoked('grant-1', 4_102_442_000)).toBe(false);
        expect((await store.find('grant-1'))?.revokedAt).toBe(4_102_441_000);
      });

      it('returns false for an unknown grant and revokes nothing else', async () => {
        const { store } = ctx();
        await store.insert(aGrant('grant-1'));
        expect(await store.markRevoked('grant-2', 4_102_441_000)).toBe(false);
        expect((await store.find('grant-1'))?.revokedAt).toBeUndefined();
      });

      it('is rolled back with the unit of work it ran in, and the grant can be revoked afterwards', async () => {
        const { store, uow } = ctx();
        await store.insert(aGrant('grant-1'));
        await runAndRollBack(uow, async (tx) => {
          expect(await store.markRevoked('grant-1', 4_102_441_000, tx)).toBe(true);
        });
        expect((await store.find('grant-1'))?.revokedAt).toBeUndefined();
        expect(await store.markRevoked('grant-1', 4_102_442_000)).toBe(true);
      });
    });

    describe('revokeByClient', () => {
      it("revokes, as of the instant, every live grant of the client that existed by then, and returns them", async () => {
        const { store } = ctx();
        await store.insert(aGrant('g-user-1'));
        await store.insert(aGrant('g-user-2', { sub: 'user-2', createdAt: 4_102_440_900 }));
        await store.insert(aGrant('g-later', { sub: 'user-3', createdAt: 4_102_441_001 }));
        await store.insert(aGrant('g-revoked', { revokedAt: 4_102_440_500 }));
        await store.insert(aGrant('g-other-client', { clientId: 'other-app' }));
        const revoked = await store.revokeByClient('app', 4_102_441_000);
        expect(revoked.map((g) => g.id).sort()).toEqual(['g-user-1', 'g-user-2']);
        expect(revoked.find((g) => g.id === 'g-user-1')).toEqual(aGrant('g-user-1', { revokedAt: 4_102_441_000 }));
        expect((await store.find('g-user-2'))?.revokedAt).toBe(4_102_441_000);
        // Consented after the instant, already revoked, another client's: untouched.
        expect(await store.find('g-later')).toEqual(aGrant('g-later', { sub: 'user-3', createdAt: 4_102_441_001 }));
        expect((await store.find('g-revoked'))?.revokedAt).toBe(4_102_440_500);
        expect(await store.find('g-other-client')).toEqual(aGrant('g-other-client', { clientId: 'other-app' }));
      });

      it("revokes only the user's grants with the client when given a sub", async () => {
        const { store } = ctx();
        await store.insert(aGrant('g-1'));
        await store.insert(aGrant('g-1-again', { remember: false }));
        await store.insert(aGrant('g-2', { sub: 'user-2' }));
        const revoked = await store.revokeByClient('app', 4_102_441_000, undefined, 'user-1');
        expect(revoked.map((g) => g.id).sort()).toEqual(['g-1', 'g-1-again']);
        expect((await store.find('g-2'))?.revokedAt).toBeUndefined();
      });

      it('returns nothing the second time, and is rolled back with its unit of work', async () => {
        const { store, uow } = ctx();
        await store.insert(aGrant('g-1'));
        await runAndRollBack(uow, async (tx) => {
          expect(await store.revokeByClient('app', 4_102_441_000, tx)).toHaveLength(1);
        });
        expect((await store.find('g-1'))?.revokedAt).toBeUndefined();
        expect(await store.revokeByClient('app', 4_102_441_000)).toHaveLength(1);
        expect(await store.revokeByClient('app', 4_102_442_000)).toEqual([]);
        expect((await store.find('g-1'))?.revokedAt).toBe(4_102_441_000);
      });
    });

    describe('markUsed', () => {
      it('sets lastUsedAt of a live grant and nothing else, and returns true', async () => {
        const { store } = ctx();
        await store.insert(aGrant('grant-1'));
        await store.insert(aGrant('grant-2'));
        expect(await store.markUsed('grant-1', 4_102_443_000, OWNER)).toBe(true);
        expect(await store.find('grant-1')).toEqual(aGrant('grant-1', { lastUsedAt: 4_102_443_000 }));
        expect(await store.find('grant-2')).toEqual(aGrant('grant-2'));
      });

      it('returns false for a revoked grant and leaves it as it was (never un-revokes it)', async () => {
        const { store } = ctx();
        await store.insert(aGrant('grant-1', { revokedAt: 4_102_441_000 }));
        expect(await store.markUsed('grant-1', 4_102_443_000, OWNER)).toBe(false);
        expect(await store.find('grant-1')).toEqual(aGrant('grant-1', { revokedAt: 4_102_441_000 }));
      });

      it('returns false for an unknown grant', async () => {
        const { store } = ctx();
        expect(await store.markUsed('grant-1', 4_102_443_000, OWNER)).toBe(false);
      });

      it("answers true only for its owner's grant (that user's, to that client), writing nothing otherwise", async () => {
        const { store } = ctx();
        const last = aGrant('grant-1').lastUsedAt as number;
        await store.insert(aGrant('grant-1'));
        const later = last + ACTIVITY_RESOLUTION_SECONDS;

        expect(await store.markUsed('grant-1', later, { sub: 'user-2', clientId: 'app' })).toBe(false);
        expect(await store.markUsed('grant-1', later, { sub: 'user-1', clientId: 'other-app' })).toBe(false);
        expect(await store.find('grant-1')).toEqual(aGrant('grant-1'));
        // Within the minute nothing is written, and the owner is still checked.
        expect(await store.markUsed('grant-1', last + 1, { sub: 'user-2', clientId: 'app' })).toBe(false);
        expect(await store.markUsed('grant-1', last + 1, { sub: 'user-1', clientId: 'other-app' })).toBe(false);
        expect(await store.markUsed('grant-1', last + 1, OWNER)).toBe(true);
        expect(await store.markUsed('grant-1', later, OWNER)).toBe(true);
        expect((await store.find('grant-1'))?.lastUsedAt).toBe(later);
      });

      it('answers false for a revoked grant of its owner', async () => {
        const { store } = ctx();
        await store.insert(aGrant('grant-1', { revokedAt: 4_102_441_000 }));
        expect(await store.markUsed('grant-1', 4_102_443_000, OWNER)).toBe(false);
      });

      it('writes a use to the minute: within a minute of the last one it writes nothing and still answers true', async () => {
        const { store } = ctx();
        const last = aGrant('grant-1').lastUsedAt as number;
        await store.insert(aGrant('grant-1'));
        expect(await store.markUsed('grant-1', last + ACTIVITY_RESOLUTION_SECONDS - 1, OWNER)).toBe(true);
        expect((await store.find('grant-1'))?.lastUsedAt).toBe(last);
        expect(await store.markUsed('grant-1', last + ACTIVITY_RESOLUTION_SECONDS, OWNER)).toBe(true);
        expect((await store.find('grant-1'))?.lastUsedAt).toBe(last + ACTIVITY_RESOLUTION_SECONDS);
      });

      it('returns false for a grant revoked within the minute of its last use (the skipped write still checks)', async () => {
        const { store } = ctx();
        const last = aGrant('grant-1').lastUsedAt as number;
        await store.insert(aGrant('grant-1', { revokedAt: last + 1 }));
        expect(await store.markUsed('grant-1', last + 2, OWNER)).toBe(false);
        expect(await store.find('grant-1')).toEqual(aGrant('grant-1', { revokedAt: last + 1 }));
      });

      it('waits for a revocation in progress on the grant and then answers false, even with nothing to write', async () => {
        const { store, uow } = ctx();
        const last = aGrant('grant-1').lastUsedAt as number;
        await store.insert(aGrant('grant-1'));
        let revoked!: () => void;
        const revokedInTransaction = new Promise<void>((resolve) => (revoked = resolve));
        let commit!: () => void;
        const committing = new Promise<void>((resolve) => (commit = resolve));
        const revocation = uow.run(async (tx) => {
          await store.markRevoked('grant-1', last + 1, tx);
          revoked();
          await committing;
        });
        await revokedInTransaction;
        // A redemption within the minute of the last use: nothing to write, but the revocation
        // about to commit must still be seen.
        const use = uow.run((tx) => store.markUsed('grant-1', last + 2, OWNER, tx));
        await new Promise((resolve) => setTimeout(resolve, 50));
        commit();
        await revocation;
        expect(await use).toBe(false);
      });

      it('records the first use of a grant never used before, however soon', async () => {
        const { store } = ctx();
        const fresh = aFreshGrant('grant-1');
        await store.insert(fresh);
        expect(await store.markUsed('grant-1', fresh.createdAt, OWNER)).toBe(true);
        expect((await store.find('grant-1'))?.lastUsedAt).toBe(fresh.createdAt);
      });

      it('is rolled back with the unit of work it ran in', async () => {
        const { store, uow } = ctx();
        await store.insert(aGrant('grant-1'));
        await runAndRollBack(uow, async (tx) => {
          expect(await store.markUsed('grant-1', 4_102_443_000, OWNER, tx)).toBe(true);
        });
        expect((await store.find('grant-1'))?.lastUsedAt).toBe(aGrant('grant-1').lastUsedAt);
      });
    });

    describe('lastRevocation', () => {
      it('is the latest revocation among the grants of (sub, client), ignoring other subjects and clients', async () => {
        const { store } = ctx();
        await store.insert(aGrant('g-latest', { revokedAt: 4_102_443_000 }));
        await store.insert(aGrant('g-earlier', { revokedAt: 4_102_441_000 }));
        await store.insert(aGrant('g-active'));
        await store.insert(aGrant('g-other-client', { clientId: 'other-app', revokedAt: 4_102_449_000 }));
        await store.insert(aGrant('g-other-sub', { sub: 'user-2', revokedAt: 4_102_448_000 }));
        await store.insert(aGrant('g-middle'));
        await store.markRevoked('g-middle', 4_102_442_000);
        const at = await store.lastRevocation('user-1', 'app');
        expect(at).toBe(4_102_443_000);
        expect(typeof at).toBe('number');
      });

      it('follows a later markRevoked', async () => {
        const { store } = ctx();
        await store.insert(aGrant('g-1', { revokedAt: 4_102_441_000 }));
        await store.insert(aGrant('g-2'));
        await store.markRevoked('g-2', 4_102_445_000);
        expect(await store.lastRevocation('user-1', 'app')).toBe(4_102_445_000);
      });

      it('is undefined when no grant of (sub, client) is revoked', async () => {
        const { store } = ctx();
        await store.insert(aGrant('g-active-1'));
        await store.insert(aGrant('g-active-2'));
        await store.insert(aGrant('g-other-client', { clientId: 'other-app', revokedAt: 4_102_441_000 }));
        await store.insert(aGrant('g-other-sub', { sub: 'user-2', revokedAt: 4_102_441_000 }));
        expect(await store.lastRevocation('user-1', 'app')).toBeUndefined();
      });

      it('is undefined when (sub, client) has no grants at all', async () => {
        const { store } = ctx();
        expect(await store.lastRevocation('user-1', 'app')).toBeUndefined();
      });
    });
  });
}
