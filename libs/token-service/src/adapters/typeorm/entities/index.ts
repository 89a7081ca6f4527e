import { InitialAccessTokenEntity } from './initial-access-token.entity';
import { AccessRevocationEntity } from './access-revocation.entity';
import { AccessTokenEntity } from './access-token.entity';
import { AuthorizationCodeEntity } from './authorization-code.entity';
import { BackchannelDeliveryEntity } from './backchannel-delivery.entity';
import { OpSessionEntity } from './op-session.entity';
import { OpSessionClientEntity } from './op-session-client.entity';
import { LogoutRequestEntity } from './logout-request.entity';
import { PushedRequestEntity } from './pushed-request.entity';
import { RefreshTokenEntity } from './refresh-token.entity';
import { ClientEntity } from './client.entity';
import { GrantEntity } from './grant.entity';
import { ReplayEntryEntity } from './replay-entry.entity';
import { ResourceServerEntity } from './resource-server.entity';
import { RevokedTokenEntity } from './revoked-token.entity';
import { ServiceSecretEntity } from './service-secret.entity';
import { SigningKeyEntity } from './signing-key.entity';

export {
  InitialAccessTokenEntity,
  AccessRevocationEntity,
  AccessTokenEntity,
  AuthorizationCodeEntity,
  BackchannelDeliveryEntity,
  OpSessionEntity,
  OpSessionClientEntity,
  LogoutRequestEntity,
  PushedRequestEntity,
  RefreshTokenEntity,
  ClientEntity,
  GrantEntity,
  ReplayEntryEntity,
  ResourceServerEntity,
  RevokedTokenEntity,
  ServiceSecretEntity,
  SigningKeyEntity,
};

export const TOKEN_SERVICE_ENTITIES = [
  AccessRevocationEntity,
  AccessTokenEntity,
  AuthorizationCodeEntity,
  BackchannelDeliveryEntity,
  OpSessionEntity,
  OpSessionClientEntity,
  LogoutRequestEntity,
  PushedRequestEntity,
  RefreshTokenEntity,
  ClientEntity,
  GrantEntity,
  ReplayEntryEntity,
  ResourceServerEntity,
  RevokedTokenEntity,
  ServiceSecretEntity,
  SigningKeyEntity,
  InitialAccessTokenEntity,
];
