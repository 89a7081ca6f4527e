import type { AuthorizationRequest } from '../../src/authorize/authorization-request';
import type { Challenge, ChallengeStore } from '../../src/ports/challenge.store';
import { useFreshStore, type MakeStore } from './store-harness';

const NOW = 1_767_225_600;

function aChallenge(overrides: Partial<Challenge> = {}): Challenge {
  return {
    storageKey: 'k'.repeat(43),
    kind: 'login',
    state: 'pending',
    verifierHash: 'v'.repeat(43),
    clientId: 'app',
    request: { clientId: 'app', redirectUri: 'https://app.example.com/cb', scope: ['openid'], prompt: [], resource: [] } as unknown as AuthorizationRequest,
    createdAt: NOW,
    expiresAt: NOW + 600,
    ...overrides,
  };
}

const LOGIN = { kind: 'login' as const, login: { sub: 'ada', loginSessionId: 'ls-1', amr: ['pwd'], authTime: NOW, remember: false } };

/** The challenge lifecycle: pending → accepted/rejected (once) → used (once, by its browser). */
export function describeChallengeStoreContract(make: MakeStore<ChallengeStore>): void {
  describe('ChallengeStore contract', () => {
    const ctx = useFreshStore(make);

    it('moves a pending challenge to accepted once, with its outcome', async () => {
      const { store } = ctx();
      const c = aChallenge();
      await store.insert(c);
      expect(await store.transition(c.storageKey, 'pending', 'accepted', LOGIN)).toBe(true);
      expect(await store.transition(c.storageKey, 'pending', 'rejected', { kind: 'rejected', error: 'access_denied' })).toBe(false);
      expect(await store.find(c.storageKey)).toMatchObject({ state: 'accepted', outcome: LOGIN });
    });

    it('consumes an answered challenge in one step for the browser holding its verifier, once', async () => {
      const { store } = ctx();
      const c = aChallenge({ state: 'accepted', outcome: LOGIN });
      await store.insert(c);
      const used = await store.consumeAnswered(c.storageKey, c.verifierHash, NOW);
      expect(used).toMatchObject({ storageKey: c.storageKey, state: 'used', outcome: LOGIN, request: c.request, clientId: 'app' });
      expect(await store.consumeAnswered(c.storageKey, c.verifierHash, NOW)).toBeUndefined();
    });

    it('does not consume (or spend) a challenge for another verifier, a pending one, or an expired one', async () => {
      const { store } = ctx();
      const answered = aChallenge({ state: 'accepted', outcome: LOGIN });
      const pending = aChallenge({ storageKey: 'p'.repeat(43) });
      const expired = aChallenge({ storageKey: 'e'.repeat(43), state: 'accepted', outcome: LOGIN, expiresAt: NOW - 1 });
      for (const c of [answered, pending, expired]) await store.insert(c);
      expect(await store.consumeAnswered(answered.storageKey, 'w'.repeat(43), NOW)).toBeUndefined();
      expect(await store.consumeAnswered(pending.storageKey, pending.verifierHash, NOW)).toBeUndefined();
      expect(await store.consumeAnswered(expired.storageKey, expired.verifierHash, NOW)).toBeUndefined();
      expect((await store.find(answered.storageKey))?.state).toBe('accepted');
      expect((await store.find(pending.storageKey))?.state).toBe('pending');
    });

    it('lets exactly one of 10 concurrent consumptions through', async () => {
      const { store } = ctx();
      const c = aChallenge({ state: 'rejected', outcome: { kind: 'rejected', error: 'access_denied' } });
      await store.insert(c);
      const results = await Promise.all(Array.from({ length: 10 }, () => store.consumeAnswered(c.storageKey, c.verifierHash, NOW)));
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('deletes expired challenges, whatever their state, at most `limit` per call; unexpired ones stay', async () => {
      const { store } = ctx();
      const expired = ['pending', 'accepted', 'used'].map((state, i) => aChallenge({ storageKey: `${i}`.repeat(43), state: state as Challenge['state'], expiresAt: NOW - 1 - i }));
      const live = aChallenge({ storageKey: 'l'.repeat(43), expiresAt: NOW });
      for (const c of [...expired, live]) await store.insert(c);
      expect([await store.deleteExpired(NOW, 2), await store.deleteExpired(NOW, 2), await store.deleteExpired(NOW, 2)]).toEqual([2, 1, 0]);
      for (const c of expired) expect(await store.find(c.storageKey)).toBeUndefined();
      expect(await store.find(live.storageKey)).toMatchObject({ storageKey: live.storageKey, state: 'pending' });
    });
  });
}
