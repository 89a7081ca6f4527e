import { Column, Entity, PrimaryColumn } from 'typeorm';
import { epochSeconds } from './columns';

/**
 * Secrets the service makes once and keeps forever (the pairwise-subject salt), encrypted under
 * the master key. Unlike keys derived from the master key they survive its rotation.
 */
@Entity('service_secrets')
export class ServiceSecretEntity {
  @PrimaryColumn('varchar', { length: 64 })
  name!: string;

  @Column('text', { name: 'value_encrypted' })
  valueEncrypted!: string;

  @Column('bigint', { name: 'created_at', transformer: epochSeconds })
  createdAt!: number;
}
