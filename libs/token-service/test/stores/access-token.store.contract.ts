import { createHash } from 'node:crypto';
import type { AccessTokenRecord, AccessTokenStore } from '../../src/ports/access-token.store';
import { runAndRollBack, useFreshStore, type MakeStore } from './store-harness';

/** Storage keys are SHA-256 hex digests of the token, as the issuer computes them. */
export const storageKeyOf = (token: string) => createHash('sha256').update(token).digest('hex');

export function anAccessToken(token: string, overrides: Partial<AccessTokenRecord> = {}): AccessTokenRecord {
  return {
    storageKey: storageKeyOf(token),
    jti: `jti-${token}`,
    clientId: 'app',
    sub: 'user-1',
    scope: 'openid api:read api:write',
    audience: ['https://api.example.com/', 'https://billing.example.com/'],
    grantId: 'f4b6a0d2-3c7e-4a51-9b8d-2e6f1c0a9d34',
    issuedAt: 4_102_440_000,
    expiresAt: 4_102_443_600,
    ...overrides,
  };
}

const withoutGrant = (token: AccessTokenRecord): AccessTokenRecord => {
  const { grantId: _grantId, ...rest } = token;
  return rest;
};

export function describeAccessTokenStoreContract(make: MakeStore<AccessTokenStore>): void {
  describe('AccessTokenStore contract', () => {
    const ctx = useFreshStore(make);

    describe('insert and find', () => {
      it('round-trips every field of a token record by its storage key', async () => {
        const { store } = ctx();
        const token = anAccessToken('tsr_at_1');
        await store.insert(token);
        expect(await store.find(token.storageKey)).toEqual(token);
      });

      it('returns an absent grantId as absent (never null) and an empty audience as empty', async () => {
        const { store } = ctx();
        const token = withoutGrant(anAccessToken('tsr_at_1', { audience: [] }));
        await store.insert(token);
        const found = await store.find(token.storageKey);
        expect(found).toEqual(token);
        expect(found?.grantId).toBeUndefined();
      });

      it('returns issuedAt and expiresAt as numbers, not strings', async () => {
        const { store } = ctx();
        const token = anAccessToken('tsr_at_1');
        await store.insert(token);
        const found = await store.find(token.storageKey);
        expect([typeof found?.issuedAt, typeof found?.expiresAt]).toEqual(['number', 'number']);
      });

      it('finds nothing for an unknown storage key', async () => {
        const { store } = ctx();
        await store.insert(anAccessToken('tsr_at_1'));
        expect(await store.find(storageKeyOf('tsr_at_2'))).toBeUndefined();
      });

      it('rejects a second record with the same storage key and keeps the first', async () => {
        const { store } = ctx();
        const first = anAccessToken('tsr_at_1');
        await store.insert(first);
        await expect(
          store.insert(anAccessToken('tsr_at_1', { sub: 'attacker', clientId: 'evil' })),
        ).rejects.toThrow();
        expect(await store.find(first.storageKey)).toEqual(first);
      });
    });

    describe('delete', () => {
      it('returns true when it deleted the token, then false', async () => {
        const { store } = ctx();
        const token = anAccessToken('tsr_at_1');
        const other = anAccessToken('tsr_at_2');
        await store.insert(token);
        await store.insert(other);
        expect(await store.delete(token.storageKey)).toBe(true);
        expect(await store.find(token.storageKey)).toBeUndefined();
        expect(await store.delete(token.storageKey)).toBe(false);
        expect(await store.find(other.storageKey)).toEqual(other);
      });
    });

    describe('deleteByClient', () => {
      it("deletes only that client's tokens and returns how many", async () => {
        const { store } = ctx();
        const a1 = anAccessToken('a1', { clientId: 'client-a' });
        const a2 = withoutGrant(anAccessToken('a2', { clientId: 'client-a' }));
        const b1 = anAccessToken('b1', { clientId: 'client-b' });
        const prefixed = anAccessToken('ab', { clientId: 'client-a-2' });
        for (const t of [a1, a2, b1, prefixed]) await store.insert(t);
        expect(await store.deleteByClient('client-a')).toBe(2);
        expect(await store.find(a1.storageKey)).toBeUndefined();
        expect(await store.find(a2.storageKey)).toBeUndefined();
        expect(await store.find(b1.storageKey)).toEqual(b1);
        expect(await store.find(prefixed.storageKey)).toEqual(prefixed);
      });

      it('returns 0 for a client without tokens', async () => {
        const { store } = ctx();
        await store.insert(anAccessToken('a1', { clientId: 'client-a' }));
        expect(await store.deleteByClient('client-b')).toBe(0);
      });
    });

    describe('deleteByGrant', () => {
      it("deletes only that grant's tokens, leaves tokens without a grant, and returns how many", async () => {
        const { store } = ctx();
        const g1a = anAccessToken('g1a', { grantId: 'grant-1' });
        const g1b = anAccessToken('g1b', { grantId: 'grant-1', clientId: 'other-client' });
        const g2 = anAccessToken('g2', { grantId: 'grant-2' });
        const noGrant = withoutGrant(anAccessToken('none'));
        for (const t of [g1a, g1b, g2, noGrant]) await store.insert(t);
        expect(await store.deleteByGrant('grant-1')).toBe(2);
        expect(await store.find(g1a.storageKey)).toBeUndefined();
        expect(await store.find(g1b.storageKey)).toBeUndefined();
        expect(await store.find(g2.storageKey)).toEqual(g2);
        expect(await store.find(noGrant.storageKey)).toEqual(noGrant);
        expect(await store.deleteByGrant('grant-1')).toBe(0);
      });

      it('is rolled back with the unit of work it ran in', async () => {
        const { store, uow } = ctx();
        const token = anAccessToken('g1', { grantId: 'grant-1' });
        await store.insert(token);
        await runAndRollBack(uow, async (tx) => {
          expect(await store.deleteByGrant('grant-1', tx)).toBe(1);
        });
        expect(await store.find(token.storageKey)).toEqual(token);
      });
    });

    describe('deleteExpired', () => {
      it('removes only tokens whose expiry has passed and returns how many', async () => {
        const { store } = ctx();
        const now = 4_102_444_000;
        const expired1 = anAccessToken('expired-1', { expiresAt: now - 3600 });
        const expired2 = anAccessToken('expired-2', { expiresAt: now - 1 });
        const live = anAccessToken('live', { expiresAt: now + 1 });
        for (const t of [expired1, live, expired2]) await store.insert(t);
        expect(await store.deleteExpired(now, 1000)).toBe(2);
        expect(await store.find(expired1.storageKey)).toBeUndefined();
        expect(await store.find(expired2.storageKey)).toBeUndefined();
        expect(await store.find(live.storageKey)).toEqual(live);
      });

      it('returns 0 when nothing has expired', async () => {
        const { store } = ctx();
        await store.insert(anAccessToken('live', { expiresAt: 4_102_444_001 }));
        expect(await store.deleteExpired(4_102_444_000, 1000)).toBe(0);
      });

      it('deletes at most `limit` per call: 2,500 expired tokens go in three calls of 1,000, and the live ones stay', async () => {
        const { store } = ctx();
        const now = 4_102_444_000;
        const expired = Array.from({ length: 2500 }, (_, i) => anAccessToken(`expired-${i}`, { expiresAt: now - 1 - (i % 7200) }));
        const live = Array.from({ length: 10 }, (_, i) => anAccessToken(`live-${i}`, { expiresAt: now + i }));
        const rows = [...expired, ...live];
        for (let i = 0; i < rows.length; i += 250) await Promise.all(rows.slice(i, i + 250).map((t) => store.insert(t)));

        const counts = [await store.deleteExpired(now, 1000), await store.deleteExpired(now, 1000), await store.deleteExpired(now, 1000)];
        expect(counts).toEqual([1000, 1000, 500]);
        expect(await store.deleteExpired(now, 1000)).toBe(0);
        for (const t of [expired[0], expired[1234], expired[2499]]) expect(await store.find(t.storageKey)).toBeUndefined();
        for (const t of live) expect(await store.find(t.storageKey)).toEqual(t);
      });
    });

    describe('unit of work', () => {
      it('rolls back an insert when the unit of work throws afterwards', async () => {
        const { store, uow } = ctx();
        const token = anAccessToken('tsr_at_1');
        await runAndRollBack(uow, (tx) => store.insert(token, tx));
        expect(await store.find(token.storageKey)).toBeUndefined();
      });
    });
  });
}
