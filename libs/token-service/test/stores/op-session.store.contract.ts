import type { OpSession, OpSessionStore } from '../../src/ports/op-session.store';
import { runAndRollBack, useFreshStore, type MakeStore } from './store-harness';

const NOW = 4_102_441_000;

export function anOpSession(sid: string, overrides: Partial<OpSession> = {}): OpSession {
  return {
    storageKey: `key-${sid}`,
    sid,
    sub: 'user-1',
    loginSessionId: `ls-${sid}`,
    amr: ['pwd'],
    authTime: 4_102_440_000,
    createdAt: 4_102_440_000,
    expiresAt: NOW + 3600,
    ...overrides,
  };
}

/**
 * The OpSessionStore port's contract, as far as it is written down here: signing one client out
 * of sessions that go on. (Ending sessions is covered through the logout integration tests.)
 */
export function describeOpSessionStoreContract(make: MakeStore<OpSessionStore>): void {
  describe('OpSessionStore contract', () => {
    const ctx = useFreshStore(make);

    /** A session that served `clients`, each first at the given instant. */
    async function sessionServing(session: OpSession, clients: Record<string, number>) {
      const { store } = ctx();
      await store.insert(session);
      for (const [clientId, at] of Object.entries(clients)) await store.addClient(session.sid, clientId, at);
    }
    const clientsOf = async (sub: string, sid: string) =>
      ((await ctx().store.listActiveBySub(sub, NOW)).find((s) => s.sid === sid)?.clients ?? []).map((c) => c.clientId);

    describe('removeClient', () => {
      it('removes the client from every live session it was served on by the instant, returning each session with its user', async () => {
        const { store } = ctx();
        await sessionServing(anOpSession('s-1'), { app: 4_102_440_100, other: 4_102_440_100 });
        await sessionServing(anOpSession('s-2', { sub: 'user-2' }), { app: 4_102_440_900 });
        await sessionServing(anOpSession('s-other'), { other: 4_102_440_100 });
        const removed = await store.removeClient('app', 4_102_441_000, NOW);
        expect(removed).toEqual([
          { sid: 's-1', sub: 'user-1' },
          { sid: 's-2', sub: 'user-2' },
        ]);
        // The sessions go on, with their other clients.
        expect(await clientsOf('user-1', 's-1')).toEqual(['other']);
        expect(await clientsOf('user-2', 's-2')).toEqual([]);
        expect(await clientsOf('user-1', 's-other')).toEqual(['other']);
      });

      it('leaves sessions first served after the instant, ended sessions and expired ones', async () => {
        const { store } = ctx();
        await sessionServing(anOpSession('s-later'), { app: 4_102_441_001 });
        await sessionServing(anOpSession('s-ended', { endedAt: 4_102_440_500 }), { app: 4_102_440_100 });
        await sessionServing(anOpSession('s-expired', { expiresAt: NOW }), { app: 4_102_440_100 });
        expect(await store.removeClient('app', 4_102_441_000, NOW)).toEqual([]);
        expect(await clientsOf('user-1', 's-later')).toEqual(['app']);
      });

      it("removes only the user's sessions when given a sub", async () => {
        const { store } = ctx();
        await sessionServing(anOpSession('s-1'), { app: 4_102_440_100 });
        await sessionServing(anOpSession('s-2', { sub: 'user-2' }), { app: 4_102_440_100 });
        expect(await store.removeClient('app', 4_102_441_000, NOW, undefined, 'user-2')).toEqual([{ sid: 's-2', sub: 'user-2' }]);
        expect(await clientsOf('user-1', 's-1')).toEqual(['app']);
      });

      it('returns a session once however often asked, and is rolled back with its unit of work', async () => {
        const { store, uow } = ctx();
        await sessionServing(anOpSession('s-1'), { app: 4_102_440_100 });
        await runAndRollBack(uow, async (tx) => {
          expect(await store.removeClient('app', 4_102_441_000, NOW, tx)).toHaveLength(1);
        });
        expect(await clientsOf('user-1', 's-1')).toEqual(['app']);
        expect(await store.removeClient('app', 4_102_441_000, NOW)).toHaveLength(1);
        expect(await store.removeClient('app', 4_102_441_000, NOW)).toEqual([]);
      });
    });

    describe('deleteExpired', () => {
      it('deletes sessions expired before `now` with their clients, at most `limit` per call; the others stay', async () => {
        const { store } = ctx();
        for (let i = 0; i < 3; i++) await sessionServing(anOpSession(`s-old-${i}`, { expiresAt: NOW - 1 - i }), { app: 4_102_440_100, other: 4_102_440_100 });
        await sessionServing(anOpSession('s-live', { expiresAt: NOW }), { app: 4_102_440_100 });
        expect([await store.deleteExpired(NOW, 2), await store.deleteExpired(NOW, 2), await store.deleteExpired(NOW, 2)]).toEqual([2, 1, 0]);
        expect(await store.deleteExpired(NOW + 1, 2)).toBe(1); // the one expiring at NOW went only once NOW had passed
        // A session inserted again under an old sid starts without the old one's clients.
        await store.insert(anOpSession('s-old-0'));
        expect((await store.listActiveBySub('user-1', NOW)).map((s) => [s.sid, s.clients])).toEqual([['s-old-0', []]]);
      });
    });
  });
}
