import type { Client } from '../../src/clients/client';
import type { ClientStore } from '../../src/ports/client.store';
import { runAndRollBack, useFreshStore, type MakeStore } from './store-harness';

/** Every optional field present, nested JSON, unicode, and epoch seconds past 2^32. */
export function aFullClient(overrides: Partial<Client> = {}): Client {
  return {
    clientId: 'app-full',
    clientName: 'Ünïcode "quoted" app 🚀',
    tokenEndpointAuthMethod: 'private_key_jwt',
    tokenEndpointAuthSigningAlg: 'ES256',
    grantTypes: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
    responseTypes: ['code'],
    redirectUris: ['https://app.example.com/callback', 'http://127.0.0.1:8080/callback?x=1&y=2'],
    jwks: {
      keys: [
        {
          kty: 'EC',
          crv: 'P-256',
          kid: 'key-1',
          use: 'sig',
          x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
          y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
          key_ops: ['verify'],
        },
      ],
    },
    scopes: [
      { scope: 'openid', required: true },
      { scope: 'api:read', required: false },
    ],
    accessTokenFormat: 'jwt',
    accessTokenSigningAlg: 'ES256',
    defaultAudience: ['https://api.example.com/', 'https://billing.example.com/'],
    accessTokenTtl: 900,
    refreshTokenTtl: 2_592_000,
    refreshTokens: true,
    refreshTokenGracePeriod: 300,
    requirePkce: true,
    idTokenSignedResponseAlg: 'EdDSA',
    userinfoSignedResponseAlg: 'PS256',
    subjectType: 'pairwise',
    sectorIdentifier: 'app.example.com',
    sectorIdentifierUri: 'https://app.example.com/sector.json',
    requireAuthTime: true,
    defaultMaxAge: 3600,
    requestObjectSigningAlg: 'ES256',
    requestUris: ['https://app.example.com/request.jwt'],
    requirePushedAuthorizationRequests: true,
    mfaPolicy: 'required',
    firstParty: true,
    admin: true,
    dynamic: true,
    display: {
      client_uri: 'https://app.example.com',
      contacts: ['ops@example.com', 'sec@example.com'],
      logo: { width: 64, dark: false, ratio: 1.5 },
      tos_uri: null,
    },
    secretHash: 'a'.repeat(64),
    secretExpiresAt: 4_102_444_800,
    registrationAccessTokenHash: 'b'.repeat(64),
    revokedBefore: 4_102_444_000,
    disabled: true,
    createdAt: 4_102_440_000,
    updatedAt: 4_102_440_001,
    ...overrides,
  };
}

/** No optional field at all; every boolean false; empty collections. */
export function aMinimalClient(overrides: Partial<Client> = {}): Client {
  return {
    clientId: 'app-minimal',
    tokenEndpointAuthMethod: 'none',
    grantTypes: [],
    responseTypes: [],
    redirectUris: [],
    scopes: [],
    accessTokenFormat: 'reference',
    accessTokenSigningAlg: 'RS256',
    defaultAudience: [],
    accessTokenTtl: 60,
    refreshTokenTtl: 0,
    refreshTokens: false,
    refreshTokenGracePeriod: 0,
    requirePkce: false,
    idTokenSignedResponseAlg: 'RS256',
    subjectType: 'public',
    requireAuthTime: false,
    requestUris: [],
    requirePushedAuthorizationRequests: false,
    mfaPolicy: 'none',
    firstParty: false,
    admin: false,
    dynamic: false,
    disabled: false,
    display: {},
    createdAt: 1_767_225_600,
    updatedAt: 1_767_225_600,
    ...overrides,
  };
}

/** Hydra persister_test.go style: the ClientStore port's contract, run against each adapter. */
export function describeClientStoreContract(make: MakeStore<ClientStore>): void {
  describe('ClientStore contract', () => {
    const ctx = useFreshStore(make);

    describe('insert and find', () => {
      it('round-trips every field of a client exactly, nested JSON and unicode included', async () => {
        const { store } = ctx();
        const client = aFullClient();
        await store.insert(client);
        expect(await store.find(client.clientId)).toEqual(client);
      });

      it('returns absent optional fields as absent (never null) and false booleans as false', async () => {
        const { store } = ctx();
        const client = aMinimalClient();
        await store.insert(client);
        const found = await store.find(client.clientId);
        expect(found).toEqual(client);
        expect(found?.secretHash).toBeUndefined();
        expect(found?.secretExpiresAt).toBeUndefined();
        expect(found?.registrationAccessTokenHash).toBeUndefined();
        expect(found?.revokedBefore).toBeUndefined();
        expect(found?.jwks).toBeUndefined();
        expect(found?.dynamic).toBe(false);
      });

      it('returns epoch-second fields as numbers, not strings, including values past 2^32', async () => {
        const { store } = ctx();
        await store.insert(aFullClient());
        const found = await store.find('app-full');
        for (const field of ['createdAt', 'updatedAt', 'secretExpiresAt', 'revokedBefore'] as const) {
          expect({ field, type: typeof found?.[field] }).toEqual({ field, type: 'number' });
        }
        expect(found?.secretExpiresAt).toBe(4_102_444_800);
      });

      it('keeps client_secret_expires_at = 0 ("never expires", RFC 7591) as 0, not absent', async () => {
        const { store } = ctx();
        await store.insert(aFullClient({ secretExpiresAt: 0 }));
        expect((await store.find('app-full'))?.secretExpiresAt).toBe(0);
      });

      it('reads a client stored before refresh_token_grace_period existed with the grace period off (0)', async () => {
        const { store } = ctx();
        const { refreshTokenGracePeriod: _absent, ...older } = aFullClient();
        await store.insert(older as Client);
        expect((await store.find('app-full'))?.refreshTokenGracePeriod).toBe(0);
      });

      it('reads a client stored before OpenID Connect registration existed with its defaults (RS256, public, no PAR)', async () => {
        const { store } = ctx();
        const { idTokenSignedResponseAlg: _a, subjectType: _s, requireAuthTime: _r, requestUris: _u, requirePushedAuthorizationRequests: _p, ...older } = aMinimalClient();
        await store.insert(older as Client);
        expect(await store.find('app-minimal')).toMatchObject({
          idTokenSignedResponseAlg: 'RS256',
          subjectType: 'public',
          requireAuthTime: false,
          requestUris: [],
          requirePushedAuthorizationRequests: false,
        });
      });

      it('finds nothing for an unknown client_id', async () => {
        const { store } = ctx();
        await store.insert(aMinimalClient());
        expect(await store.find('no-such-client')).toBeUndefined();
      });

      it('matches client_id exactly: a client_id differing only in case or by a space is another client', async () => {
        const { store } = ctx();
        await store.insert(aMinimalClient({ clientId: 'Portal' }));
        expect(await store.find('portal')).toBeUndefined();
        expect(await store.find('PORTAL')).toBeUndefined();
        expect(await store.find('Portal ')).toBeUndefined();
        expect((await store.find('Portal'))?.clientId).toBe('Portal');
      });

      it('rejects a second client with an existing client_id and keeps the first unchanged', async () => {
        const { store } = ctx();
        const first = aFullClient();
        await store.insert(first);
        await expect(store.insert(aMinimalClient({ clientId: first.clientId }))).rejects.toThrow();
        expect(await store.find(first.clientId)).toEqual(first);
      });
    });

    describe('save', () => {
      it('updates metadata, credentials, flags and timestamps of an existing client', async () => {
        const { store } = ctx();
        await store.insert(aFullClient());
        const changed = aFullClient({
          clientName: 'Renamed',
          redirectUris: ['https://new.example.com/callback'],
          scopes: [{ scope: 'openid', required: false }],
          jwks: { keys: [] },
          display: { contacts: [] },
          secretHash: 'c'.repeat(64),
          secretExpiresAt: 4_102_450_000,
          revokedBefore: 4_102_450_001,
          dynamic: false,
          admin: false,
          updatedAt: 4_102_450_002,
        });
        await store.save(changed);
        expect(await store.find(changed.clientId)).toEqual(changed);
      });

      it('clears optional fields the saved client no longer has', async () => {
        const { store } = ctx();
        await store.insert(aFullClient());
        const {
          clientName: _clientName,
          jwks: _jwks,
          tokenEndpointAuthSigningAlg: _alg,
          secretHash: _secretHash,
          secretExpiresAt: _secretExpiresAt,
          registrationAccessTokenHash: _ratHash,
          revokedBefore: _revokedBefore,
          ...withoutOptionals
        } = aFullClient();
        const changed: Client = { ...withoutOptionals, tokenEndpointAuthMethod: 'none' };
        await store.save(changed);
        expect(await store.find(changed.clientId)).toEqual(changed);
      });

      it('changes only the saved client', async () => {
        const { store } = ctx();
        const other = aMinimalClient({ clientId: 'other' });
        await store.insert(aMinimalClient());
        await store.insert(other);
        await store.save(aMinimalClient({ clientName: 'changed', updatedAt: 1_767_229_000 }));
        expect(await store.find('other')).toEqual(other);
      });
    });

    describe('revokeIssuedUpTo', () => {
      it('moves revokedBefore forward and touches nothing else: true, then false for the same or an earlier instant', async () => {
        const { store } = ctx();
        const client = aMinimalClient();
        await store.insert(client);
        expect(await store.revokeIssuedUpTo(client.clientId, 1_767_230_000, 1_767_230_005)).toBe(true);
        expect(await store.find(client.clientId)).toEqual({ ...client, revokedBefore: 1_767_230_000, updatedAt: 1_767_230_005 });
        expect(await store.revokeIssuedUpTo(client.clientId, 1_767_230_000, 1_767_230_006)).toBe(false);
        expect(await store.revokeIssuedUpTo(client.clientId, 1_767_229_000, 1_767_230_007)).toBe(false);
        expect(await store.find(client.clientId)).toEqual({ ...client, revokedBefore: 1_767_230_000, updatedAt: 1_767_230_005 });
      });

      it('never moves a later revokedBefore back (a revocation arriving after a later one)', async () => {
        const { store } = ctx();
        await store.insert(aFullClient());
        expect(await store.revokeIssuedUpTo('app-full', 4_102_443_000, 4_102_450_000)).toBe(false);
        expect((await store.find('app-full'))?.revokedBefore).toBe(4_102_444_000);
        expect(await store.revokeIssuedUpTo('app-full', 4_102_445_000, 4_102_450_000)).toBe(true);
        expect((await store.find('app-full'))?.revokedBefore).toBe(4_102_445_000);
      });

      it('is false for an unknown client, changes only the named one, and is rolled back with its unit of work', async () => {
        const { store, uow } = ctx();
        const other = aMinimalClient({ clientId: 'other' });
        await store.insert(aMinimalClient());
        await store.insert(other);
        expect(await store.revokeIssuedUpTo('unknown', 1_767_230_000, 1_767_230_000)).toBe(false);
        await runAndRollBack(uow, async (tx) => {
          expect(await store.revokeIssuedUpTo('app-minimal', 1_767_230_000, 1_767_230_000, tx)).toBe(true);
        });
        expect(await store.find('app-minimal')).toEqual(aMinimalClient());
        expect(await store.find('other')).toEqual(other);
      });
    });

    describe('setDisabled', () => {
      it('turns a client off and on again, true only when the flag changes, keeping every other field', async () => {
        const { store } = ctx();
        const client = aFullClient({ disabled: false });
        await store.insert(client);
        expect(await store.setDisabled(client.clientId, true, 4_102_450_000)).toBe(true);
        expect(await store.find(client.clientId)).toEqual({ ...client, disabled: true, updatedAt: 4_102_450_000 });
        expect(await store.setDisabled(client.clientId, true, 4_102_450_001)).toBe(false);
        expect((await store.find(client.clientId))?.updatedAt).toBe(4_102_450_000);
        expect(await store.setDisabled(client.clientId, false, 4_102_450_002)).toBe(true);
        expect(await store.find(client.clientId)).toEqual({ ...client, updatedAt: 4_102_450_002 });
      });

      it('is false for an unknown client, changes only the named one, and is rolled back with its unit of work', async () => {
        const { store, uow } = ctx();
        const other = aMinimalClient({ clientId: 'other' });
        await store.insert(aMinimalClient());
        await store.insert(other);
        expect(await store.setDisabled('unknown', true, 1_767_230_000)).toBe(false);
        await runAndRollBack(uow, async (tx) => {
          expect(await store.setDisabled('app-minimal', true, 1_767_230_000, tx)).toBe(true);
        });
        expect(await store.find('app-minimal')).toEqual(aMinimalClient());
        expect(await store.find('other')).toEqual(other);
      });
    });

    describe('delete', () => {
      it('returns true when it deleted the client, then false, and the client is gone', async () => {
        const { store } = ctx();
        await store.insert(aMinimalClient());
        expect(await store.delete('app-minimal')).toBe(true);
        expect(await store.find('app-minimal')).toBeUndefined();
        expect(await store.delete('app-minimal')).toBe(false);
      });

      it('deletes only the named client', async () => {
        const { store } = ctx();
        const kept = aFullClient();
        await store.insert(kept);
        await store.insert(aMinimalClient());
        await store.delete('app-minimal');
        expect(await store.list()).toEqual([kept]);
      });
    });

    describe('list', () => {
      it('is empty for an empty store', async () => {
        const { store } = ctx();
        expect(await store.list()).toEqual([]);
      });

      it('lists clients by creation time, oldest first, whatever the insertion order', async () => {
        const { store } = ctx();
        await store.insert(aMinimalClient({ clientId: 'a-third', createdAt: 1_767_225_900 }));
        await store.insert(aMinimalClient({ clientId: 'c-first', createdAt: 1_767_225_700 }));
        await store.insert(aMinimalClient({ clientId: 'b-second', createdAt: 1_767_225_800 }));
        expect((await store.list()).map((c) => c.clientId)).toEqual(['c-first', 'b-second', 'a-third']);
      });

      it('lists clients created in the same second by client_id, so the order is the same on every engine', async () => {
        const { store } = ctx();
        for (const clientId of ['zeta', 'mu', 'alpha'])
          await store.insert(aMinimalClient({ clientId, createdAt: 1_767_225_600 }));
        expect((await store.list()).map((c) => c.clientId)).toEqual(['alpha', 'mu', 'zeta']);
      });

      it('returns complete clients, the same as find', async () => {
        const { store } = ctx();
        const full = aFullClient({ createdAt: 1 });
        const minimal = aMinimalClient({ createdAt: 2 });
        await store.insert(minimal);
        await store.insert(full);
        expect(await store.list()).toEqual([full, minimal]);
      });
    });

    describe('unit of work', () => {
      it('commits an insert made inside a unit of work and returns the work result', async () => {
        const { store, uow } = ctx();
        const result = await uow.run(async (tx) => {
          await store.insert(aMinimalClient(), tx);
          return 'done';
        });
        expect(result).toBe('done');
        expect(await store.find('app-minimal')).toEqual(aMinimalClient());
      });

      it('rolls back an insert when the unit of work throws afterwards', async () => {
        const { store, uow } = ctx();
        await runAndRollBack(uow, (tx) => store.insert(aFullClient(), tx));
        expect(await store.find('app-full')).toBeUndefined();
        expect(await store.list()).toEqual([]);
      });

      it('rolls back a save and a delete when the unit of work throws afterwards', async () => {
        const { store, uow } = ctx();
        const saved = aFullClient();
        const deleted = aMinimalClient();
        await store.insert(saved);
        await store.insert(deleted);
        await runAndRollBack(uow, async (tx) => {
          await store.save(aFullClient({ clientName: 'not committed', updatedAt: 4_102_460_000 }), tx);
          expect(await store.delete(deleted.clientId, tx)).toBe(true);
        });
        expect(await store.find(saved.clientId)).toEqual(saved);
        expect(await store.find(deleted.clientId)).toEqual(deleted);
      });
    });
  });
}
