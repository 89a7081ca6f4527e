import type { ResourceServer, ResourceServerStore } from '../../src/ports/resource-server.store';
import { runAndRollBack, useFreshStore, type MakeStore } from './store-harness';

export function aResourceServer(
  id: string,
  identifier: string,
  overrides: Partial<ResourceServer> = {},
): ResourceServer {
  return {
    id,
    identifier,
    name: 'Billing API — €',
    scopes: ['billing:read', 'billing:write'],
    accessTokenFormat: 'jwt',
    clientId: 'billing-introspector',
    createdAt: 4_102_440_000,
    ...overrides,
  };
}

const minimal = (id: string, identifier: string, overrides: Partial<ResourceServer> = {}): ResourceServer => {
  const {
    accessTokenFormat: _format,
    clientId: _clientId,
    ...rest
  } = aResourceServer(id, identifier, overrides);
  return { ...rest, scopes: [] };
};

const identifiers = (list: ResourceServer[]) => list.map((rs) => rs.identifier).sort();

export function describeResourceServerStoreContract(make: MakeStore<ResourceServerStore>): void {
  describe('ResourceServerStore contract', () => {
    const ctx = useFreshStore(make);

    describe('insert and findByIdentifier', () => {
      it('round-trips every field', async () => {
        const { store } = ctx();
        const rs = aResourceServer('rs-1', 'https://billing.example.com/');
        await store.insert(rs);
        const found = await store.findByIdentifier(rs.identifier);
        expect(found).toEqual(rs);
        expect(typeof found?.createdAt).toBe('number');
      });

      it('returns absent optional fields as absent (never null)', async () => {
        const { store } = ctx();
        const rs = minimal('rs-1', 'urn:example:api');
        await store.insert(rs);
        const found = await store.findByIdentifier(rs.identifier);
        expect(found).toEqual(rs);
        expect([found?.accessTokenFormat, found?.clientId]).toEqual([undefined, undefined]);
      });

      it('matches the resource indicator exactly: a trailing slash or a case change is another API', async () => {
        const { store } = ctx();
        await store.insert(aResourceServer('rs-1', 'https://api.example.com/v1'));
        expect(await store.findByIdentifier('https://api.example.com/v1/')).toBeUndefined();
        expect(await store.findByIdentifier('https://API.example.com/v1')).toBeUndefined();
        expect(await store.findByIdentifier('https://api.example.com/')).toBeUndefined();
        expect((await store.findByIdentifier('https://api.example.com/v1'))?.id).toBe('rs-1');
      });

      it('rejects a second resource server with an existing identifier and keeps the first', async () => {
        const { store } = ctx();
        const first = aResourceServer('rs-1', 'https://billing.example.com/');
        await store.insert(first);
        await expect(
          store.insert(aResourceServer('rs-2', first.identifier, { name: 'Impostor', clientId: 'attacker' })),
        ).rejects.toThrow();
        expect(await store.list()).toEqual([first]);
      });

      it('rejects a second resource server with an existing id', async () => {
        const { store } = ctx();
        const first = aResourceServer('rs-1', 'https://billing.example.com/');
        await store.insert(first);
        await expect(store.insert(aResourceServer('rs-1', 'https://other.example.com/'))).rejects.toThrow();
        expect(await store.list()).toEqual([first]);
      });

      it('keeps a resource indicator near the 2048-character limit intact', async () => {
        const { store } = ctx();
        const identifier = `https://api.example.com/${'p'.repeat(2000)}`;
        await store.insert(aResourceServer('rs-1', identifier));
        expect((await store.findByIdentifier(identifier))?.identifier).toBe(identifier);
      });
    });

    describe('findByClientId', () => {
      it('returns every resource server of that client and no other', async () => {
        const { store } = ctx();
        await store.insert(aResourceServer('rs-1', 'https://a.example.com/', { clientId: 'client-a' }));
        await store.insert(aResourceServer('rs-2', 'https://b.example.com/', { clientId: 'client-b' }));
        await store.insert(aResourceServer('rs-3', 'https://c.example.com/', { clientId: 'client-a' }));
        await store.insert(minimal('rs-4', 'https://d.example.com/'));
        const found = await store.findByClientId('client-a');
        expect(identifiers(found)).toEqual(['https://a.example.com/', 'https://c.example.com/']);
        expect(found.find((rs) => rs.id === 'rs-1')).toEqual(
          aResourceServer('rs-1', 'https://a.example.com/', { clientId: 'client-a' }),
        );
      });

      it('returns [] for a client without resource servers', async () => {
        const { store } = ctx();
        await store.insert(aResourceServer('rs-1', 'https://a.example.com/', { clientId: 'client-a' }));
        expect(await store.findByClientId('client-b')).toEqual([]);
      });
    });

    describe('list', () => {
      it('is empty for an empty store', async () => {
        const { store } = ctx();
        expect(await store.list()).toEqual([]);
      });

      it('lists resource servers oldest first, whatever the insertion order', async () => {
        const { store } = ctx();
        const newest = aResourceServer('rs-1', 'https://newest.example.com/', { createdAt: 4_102_450_000 });
        const oldest = minimal('rs-2', 'https://oldest.example.com/', { createdAt: 4_102_430_000 });
        const middle = aResourceServer('rs-3', 'https://middle.example.com/', { createdAt: 4_102_440_000 });
        for (const rs of [newest, oldest, middle]) await store.insert(rs);
        expect(await store.list()).toEqual([oldest, middle, newest]);
      });

      it('lists resource servers created in the same second by identifier, so the order is the same on every engine', async () => {
        const { store } = ctx();
        for (const [id, identifier] of [
          ['rs-1', 'urn:example:zeta'],
          ['rs-2', 'urn:example:mu'],
          ['rs-3', 'urn:example:alpha'],
        ] as const) {
          await store.insert(aResourceServer(id, identifier, { createdAt: 4_102_440_000 }));
        }
        expect((await store.list()).map((rs) => rs.identifier)).toEqual([
          'urn:example:alpha',
          'urn:example:mu',
          'urn:example:zeta',
        ]);
      });
    });

    describe('delete', () => {
      it('returns true when it deleted the resource server, then false; it is gone from every lookup', async () => {
        const { store } = ctx();
        const kept = aResourceServer('rs-2', 'https://kept.example.com/');
        await store.insert(aResourceServer('rs-1', 'https://gone.example.com/'));
        await store.insert(kept);
        expect(await store.delete('rs-1')).toBe(true);
        expect(await store.delete('rs-1')).toBe(false);
        expect(await store.findByIdentifier('https://gone.example.com/')).toBeUndefined();
        expect(await store.findByClientId(kept.clientId ?? '')).toEqual([kept]);
        expect(await store.list()).toEqual([kept]);
      });

      it('frees the identifier for a new resource server', async () => {
        const { store } = ctx();
        await store.insert(aResourceServer('rs-1', 'https://billing.example.com/'));
        await store.delete('rs-1');
        const replacement = aResourceServer('rs-2', 'https://billing.example.com/');
        await store.insert(replacement);
        expect(await store.findByIdentifier('https://billing.example.com/')).toEqual(replacement);
      });
    });

    describe('unit of work', () => {
      it('rolls back an insert and a delete when the unit of work throws afterwards', async () => {
        const { store, uow } = ctx();
        const existing = aResourceServer('rs-1', 'https://existing.example.com/');
        await store.insert(existing);
        await runAndRollBack(uow, async (tx) => {
          await store.insert(aResourceServer('rs-2', 'https://new.example.com/'), tx);
          expect(await store.delete('rs-1', tx)).toBe(true);
        });
        expect(await store.list()).toEqual([existing]);
      });
    });
  });
}
