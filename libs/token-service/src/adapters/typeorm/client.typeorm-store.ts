import type { DataSource } from 'typeorm';
import type { Client } from '../../clients/client';
import { ClientStore } from '../../ports/client.store';
import type { Transaction } from '../../ports/unit-of-work';
import { managerOf } from './data-source';
import { ClientEntity } from './entities';

export class ClientTypeormStore extends ClientStore {
  constructor(private readonly dataSource: DataSource) {
    super();
  }

  async find(clientId: string): Promise<Client | undefined> {
    const row = await this.dataSource.manager.findOneBy(ClientEntity, { clientId });
    return row ? toClient(row) : undefined;
  }

  async insert(client: Client, tx?: Transaction): Promise<void> {
    await managerOf(this.dataSource, tx).insert(ClientEntity, toEntity(client));
  }

  async save(client: Client, tx?: Transaction): Promise<void> {
    await managerOf(this.dataSource, tx).save(ClientEntity, toEntity(client));
  }

  async delete(clientId: string, tx?: Transaction): Promise<boolean> {
    const res = await managerOf(this.dataSource, tx).delete(ClientEntity, { clientId });
    return (res.affected ?? 0) > 0;
  }

  async revokeIssuedUpTo(clientId: string, at: number, updatedAt: number, tx?: Transaction): Promise<boolean> {
    const res = await managerOf(this.dataSource, tx)
      .createQueryBuilder()
      .update(ClientEntity)
      .set({ revokedBefore: at, updatedAt })
      .where('"client_id" = :clientId AND ("revoked_before" IS NULL OR "revoked_before" < :at)', { clientId, at })
      .execute();
    return (res.affected ?? 0) > 0;
  }

  async setDisabled(clientId: string, disabled: boolean, updatedAt: number, tx?: Transaction): Promise<boolean> {
    const res = await managerOf(this.dataSource, tx).update(ClientEntity, { clientId, disabled: !disabled }, { disabled, updatedAt });
    return (res.affected ?? 0) > 0;
  }

  async list(): Promise<Client[]> {
    // client_id breaks ties (same epoch second) so that every engine lists in the same order.
    const rows = await this.dataSource.manager.find(ClientEntity, { order: { createdAt: 'ASC', clientId: 'ASC' } });
    return rows.map(toClient);
  }
}

type StoredFields = 'clientId' | 'secretHash' | 'secretExpiresAt' | 'registrationAccessTokenHash' | 'revokedBefore' | 'disabled' | 'dynamic' | 'createdAt' | 'updatedAt';

function toEntity(client: Client): ClientEntity {
  const { clientId, secretHash, secretExpiresAt, registrationAccessTokenHash, revokedBefore, disabled, dynamic, createdAt, updatedAt, ...metadata } = client;
  return Object.assign(new ClientEntity(), {
    clientId,
    metadata,
    secretHash: secretHash ?? null,
    secretExpiresAt: secretExpiresAt ?? null,
    registrationAccessTokenHash: registrationAccessTokenHash ?? null,
    revokedBefore: revokedBefore ?? null,
    disabled,
    dynamic,
    createdAt,
    updatedAt,
  });
}

/** Fields added after clients were first stored: a stored client without them gets the default. */
type DefaultedFields =
  | 'refreshTokenGracePeriod'
  | 'idTokenSignedResponseAlg'
  | 'subjectType'
  | 'requireAuthTime'
  | 'requestUris'
  | 'requirePushedAuthorizationRequests';

function toClient(row: ClientEntity): Client {
  // Policy added after the client was stored takes its default.
  const metadata = row.metadata as Omit<Client, StoredFields | DefaultedFields> & Partial<Pick<Client, DefaultedFields>>;
  return {
    ...metadata,
    refreshTokenGracePeriod: metadata.refreshTokenGracePeriod ?? 0,
    idTokenSignedResponseAlg: metadata.idTokenSignedResponseAlg ?? 'RS256',
    subjectType: metadata.subjectType ?? 'public',
    requireAuthTime: metadata.requireAuthTime ?? false,
    requestUris: metadata.requestUris ?? [],
    requirePushedAuthorizationRequests: metadata.requirePushedAuthorizationRequests ?? false,
    clientId: row.clientId,
    secretHash: row.secretHash ?? undefined,
    secretExpiresAt: row.secretExpiresAt ?? undefined,
    registrationAccessTokenHash: row.registrationAccessTokenHash ?? undefined,
    revokedBefore: row.revokedBefore ?? undefined,
    disabled: row.disabled,
    dynamic: row.dynamic,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
