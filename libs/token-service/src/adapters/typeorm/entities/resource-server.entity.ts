import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochSeconds } from './columns';

@Entity('resource_servers')
export class ResourceServerEntity {
  @PrimaryColumn('varchar', { length: 36 })
  id!: string;

  /** The RFC 8707 resource indicator: an absolute URI, used as the tokens' `aud`. */
  @Index('uq_resource_servers_identifier', { unique: true })
  @Column('varchar', { length: 2048 })
  identifier!: string;

  @Column('varchar', { length: 255 })
  name!: string;

  @Column('simple-json')
  scopes!: string[];

  @Column('varchar', { length: 16, name: 'access_token_format', nullable: true })
  accessTokenFormat!: string | null;

  /** The client whose credentials this resource server uses to introspect. */
  @Index('ix_resource_servers_client_id')
  @Column('varchar', { length: 255, name: 'client_id', nullable: true })
  clientId!: string | null;

  @Column('bigint', { name: 'created_at', transformer: epochSeconds })
  createdAt!: number;
}
