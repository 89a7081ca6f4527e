import type { DataSource } from 'typeorm';
import { createTestDatabase, testEngines } from '@tessera/test-kit';
import {
  AccessTokenTypeormStore,
  RevokedTokenTypeormStore,
} from '../../src/adapters/typeorm/access-token.typeorm-store';
import { ClientTypeormStore } from '../../src/adapters/typeorm/client.typeorm-store';
import { AccessRevocationTypeormStore } from '../../src/adapters/typeorm/access-revocation.typeorm-store';
import { TypeormUnitOfWork } from '../../src/adapters/typeorm/data-source';
import { SERVICE_DATABASE } from '../../src/adapters/typeorm/database';
import { GrantTypeormStore } from '../../src/adapters/typeorm/grant.typeorm-store';
import { OpSessionTypeormStore } from '../../src/adapters/typeorm/op-session.typeorm-store';
import { ReplayCacheTypeormStore } from '../../src/adapters/typeorm/replay-cache.typeorm-store';
import { ResourceServerTypeormStore } from '../../src/adapters/typeorm/resource-server.typeorm-store';
import { SigningKeyTypeormStore } from '../../src/adapters/typeorm/signing-key.typeorm-store';
import { describeAccessRevocationStoreContract } from './access-revocation.store.contract';
import { describeAccessTokenStoreContract } from './access-token.store.contract';
import { describeClientStoreContract } from './client.store.contract';
import { describeGrantStoreContract } from './grant.store.contract';
import { describeOpSessionStoreContract } from './op-session.store.contract';
import { describeReplayCacheContract } from './replay-cache.contract';
import { describeResourceServerStoreContract } from './resource-server.store.contract';
import { describeRevokedTokenStoreContract } from './revoked-token.store.contract';
import { describeSigningKeyStoreContract } from './signing-key.store.contract';
import type { MakeStore } from './store-harness';

/** Every TypeORM store, on every engine of testEngines(): SQLite always, PostgreSQL with DATABASE_URL. */
describe.each(testEngines())('token-service TypeORM stores on %s', (engine) => {
  /** A fresh migrated database (temp SQLite file or private PostgreSQL schema) per test. */
  const onFreshDatabase =
    <S>(build: (dataSource: DataSource) => S): MakeStore<S> =>
    async () => {
      const db = await createTestDatabase(SERVICE_DATABASE, engine);
      return {
        store: build(db.dataSource),
        uow: new TypeormUnitOfWork(db.dataSource),
        close: () => db.destroy(),
      };
    };

  describeClientStoreContract(onFreshDatabase((ds) => new ClientTypeormStore(ds)));
  describeResourceServerStoreContract(onFreshDatabase((ds) => new ResourceServerTypeormStore(ds)));
  describeAccessTokenStoreContract(onFreshDatabase((ds) => new AccessTokenTypeormStore(ds)));
  describeRevokedTokenStoreContract(onFreshDatabase((ds) => new RevokedTokenTypeormStore(ds)));
  describeGrantStoreContract(onFreshDatabase((ds) => new GrantTypeormStore(ds)));
  describeSigningKeyStoreContract(onFreshDatabase((ds) => new SigningKeyTypeormStore(ds)));
  describeReplayCacheContract(onFreshDatabase((ds) => new ReplayCacheTypeormStore(ds)));
  describeOpSessionStoreContract(onFreshDatabase((ds) => new OpSessionTypeormStore(ds)));
  describeAccessRevocationStoreContract(onFreshDatabase((ds) => new AccessRevocationTypeormStore(ds)));
});
