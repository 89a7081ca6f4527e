import { AccessTokenEntity } from './access-token.entity';
import { ClientEntity } from './client.entity';
import { GrantEntity } from './grant.entity';
import { ReplayEntryEntity } from './replay-entry.entity';
import { ResourceServerEntity } from './resource-server.entity';
import { RevokedTokenEntity } from './revoked-token.entity';
import { SigningKeyEntity } from './signing-key.entity';

export {
  AccessTokenEntity,
  ClientEntity,
  GrantEntity,
  ReplayEntryEntity,
  ResourceServerEntity,
  RevokedTokenEntity,
  SigningKeyEntity,
};

export const TOKEN_SERVICE_ENTITIES = [
  AccessTokenEntity,
  ClientEntity,
  GrantEntity,
  ReplayEntryEntity,
  ResourceServerEntity,
  RevokedTokenEntity,
  SigningKeyEntity,
];
