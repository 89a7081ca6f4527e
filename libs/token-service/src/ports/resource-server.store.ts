import type { AccessTokenFormat } from '../clients/client';
import type { Transaction } from './unit-of-work';

export interface ResourceServer {
  id: string;
  /** RFC 8707 resource indicator; becomes the `aud` of tokens for this API. */
  identifier: string;
  name: string;
  scopes: string[];
  accessTokenFormat?: AccessTokenFormat;
  /** The client whose credentials this resource server introspects with. */
  clientId?: string;
  createdAt: number;
}

export abstract class ResourceServerStore {
  abstract findByIdentifier(identifier: string): Promise<ResourceServer | undefined>;
  abstract findByClientId(clientId: string): Promise<ResourceServer[]>;
  abstract list(): Promise<ResourceServer[]>;
  abstract insert(rs: ResourceServer, tx?: Transaction): Promise<void>;
  abstract delete(id: string, tx?: Transaction): Promise<boolean>;
}
