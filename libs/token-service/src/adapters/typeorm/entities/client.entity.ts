import { Column, Entity, PrimaryColumn } from 'typeorm';
import { epochSeconds } from './columns';

@Entity('clients')
export class ClientEntity {
  @PrimaryColumn('varchar', { length: 255, name: 'client_id' })
  clientId!: string;

  /** Every registered property but the credentials, as the domain's ClientRecord JSON. */
  @Column('simple-json')
  metadata!: object;

  @Column('varchar', { length: 128, name: 'secret_hash', nullable: true })
  secretHash!: string | null;

  @Column('bigint', { name: 'secret_expires_at', nullable: true, transformer: epochSeconds })
  secretExpiresAt!: number | null;

  @Column('varchar', { length: 128, name: 'registration_access_token_hash', nullable: true })
  registrationAccessTokenHash!: string | null;

  /** "Revoke all access": every token issued at or before this instant is inactive. */
  @Column('bigint', { name: 'revoked_before', nullable: true, transformer: epochSeconds })
  revokedBefore!: number | null;

  @Column('boolean', { default: false })
  dynamic!: boolean;

  /** Turned off by an administrator: nothing new is issued to it, its tokens are inactive. */
  @Column('boolean', { default: false })
  disabled!: boolean;

  @Column('bigint', { name: 'created_at', transformer: epochSeconds })
  createdAt!: number;

  @Column('bigint', { name: 'updated_at', transformer: epochSeconds })
  updatedAt!: number;
}
