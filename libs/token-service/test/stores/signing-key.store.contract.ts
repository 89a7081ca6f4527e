import type { SigningKeyStore, StoredSigningKey } from '../../src/ports/signing-key.store';
import { useFreshStore, type MakeStore } from './store-harness';

export function aSigningKey(kid: string, overrides: Partial<StoredSigningKey> = {}): StoredSigningKey {
  return {
    kid,
    alg: 'ES256',
    state: 'next',
    publicJwk: {
      kty: 'EC',
      crv: 'P-256',
      kid,
      use: 'sig',
      alg: 'ES256',
      x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
      y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
    },
    privateJwkEncrypted: 'eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..iv.ciphertext.tag',
    createdAt: 4_102_440_000,
    ...overrides,
  };
}

export function describeSigningKeyStoreContract(make: MakeStore<SigningKeyStore>): void {
  describe('SigningKeyStore contract', () => {
    const ctx = useFreshStore(make);

    it('is empty for an empty store', async () => {
      const { store } = ctx();
      expect(await store.list()).toEqual([]);
    });

    it('round-trips every field, optional instants absent (never null) until set', async () => {
      const { store } = ctx();
      const fresh = aSigningKey('k-next', {
        alg: 'RS256',
        publicJwk: { kty: 'RSA', n: 'n'.repeat(342), e: 'AQAB', kid: 'k-next', key_ops: ['verify'] },
      });
      const retired = aSigningKey('k-retired', {
        state: 'retired',
        createdAt: 4_102_430_000,
        activatedAt: 4_102_431_000,
        retiredAt: 4_102_432_000,
        publishUntil: 4_102_433_000,
      });
      await store.insert(fresh);
      await store.insert(retired);
      const [first, second] = await store.list();
      expect([first, second]).toEqual([retired, fresh]);
      expect([second?.activatedAt, second?.retiredAt, second?.publishUntil]).toEqual([
        undefined,
        undefined,
        undefined,
      ]);
      expect([
        typeof first?.createdAt,
        typeof first?.activatedAt,
        typeof first?.retiredAt,
        typeof first?.publishUntil,
      ]).toEqual(['number', 'number', 'number', 'number']);
    });

    it('lists keys oldest first, and keys created in the same second by kid', async () => {
      const { store } = ctx();
      await store.insert(aSigningKey('k-b', { createdAt: 4_102_440_000 }));
      await store.insert(aSigningKey('k-newest', { createdAt: 4_102_450_000 }));
      await store.insert(aSigningKey('k-a', { createdAt: 4_102_440_000 }));
      await store.insert(aSigningKey('k-oldest', { createdAt: 4_102_430_000 }));
      expect((await store.list()).map((k) => k.kid)).toEqual(['k-oldest', 'k-a', 'k-b', 'k-newest']);
    });

    it('rejects a second key with an existing kid and keeps the first', async () => {
      const { store } = ctx();
      const first = aSigningKey('k-1');
      await store.insert(first);
      await expect(
        store.insert(aSigningKey('k-1', { publicJwk: { kty: 'oct', k: 'attacker' } })),
      ).rejects.toThrow();
      expect(await store.list()).toEqual([first]);
    });

    it('save moves a key through next → current → retired, and touches no other key', async () => {
      const { store } = ctx();
      const other = aSigningKey('k-other', { createdAt: 4_102_450_000 });
      const key = aSigningKey('k-1');
      await store.insert(key);
      await store.insert(other);

      const current: StoredSigningKey = { ...key, state: 'current', activatedAt: 4_102_441_000 };
      await store.save(current);
      expect(await store.list()).toEqual([current, other]);

      const retired: StoredSigningKey = {
        ...current,
        state: 'retired',
        retiredAt: 4_102_442_000,
        publishUntil: 4_102_445_600,
      };
      await store.save(retired);
      expect(await store.list()).toEqual([retired, other]);
    });

    describe('deleteUnpublished', () => {
      it('removes only retired keys whose publishUntil has passed, and returns how many', async () => {
        const { store } = ctx();
        const now = 4_102_444_000;
        const gone1 = aSigningKey('retired-long-ago', {
          state: 'retired',
          retiredAt: now - 9000,
          publishUntil: now - 5000,
        });
        const gone2 = aSigningKey('retired-just-past', {
          state: 'retired',
          retiredAt: now - 4000,
          publishUntil: now - 1,
        });
        const atNow = aSigningKey('retired-until-now', {
          state: 'retired',
          retiredAt: now - 3600,
          publishUntil: now,
          createdAt: 4_102_440_001,
        });
        const stillPublished = aSigningKey('retired-still-published', {
          state: 'retired',
          retiredAt: now - 60,
          publishUntil: now + 3600,
          createdAt: 4_102_440_002,
        });
        const current = aSigningKey('current', {
          state: 'current',
          activatedAt: now - 100,
          createdAt: 4_102_440_003,
        });
        const next = aSigningKey('next', { createdAt: 4_102_440_004 });
        for (const k of [gone1, current, gone2, stillPublished, next, atNow]) await store.insert(k);

        expect(await store.deleteUnpublished(now)).toBe(2);
        expect(await store.list()).toEqual([atNow, stillPublished, current, next]);
      });

      it('never deletes a key that is not retired, even with a publishUntil in the past', async () => {
        const { store } = ctx();
        const now = 4_102_444_000;
        const current = aSigningKey('current', {
          state: 'current',
          activatedAt: now - 100,
          publishUntil: now - 50,
        });
        const next = aSigningKey('next', { publishUntil: now - 50, createdAt: 4_102_440_001 });
        await store.insert(current);
        await store.insert(next);
        expect(await store.deleteUnpublished(now)).toBe(0);
        expect(await store.list()).toEqual([current, next]);
      });
    });
  });
}
