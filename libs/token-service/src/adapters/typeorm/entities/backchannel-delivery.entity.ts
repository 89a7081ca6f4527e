import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochSeconds } from './columns';

/** One back-channel logout notice to one client, keyed by the event that asked for it. Never the token. */
@Entity('backchannel_deliveries')
@Index('ix_backchannel_deliveries_client_sid', ['clientId', 'sid'])
export class BackchannelDeliveryEntity {
  @PrimaryColumn('varchar', { length: 36, name: 'event_id' })
  eventId!: string;

  @Column('varchar', { length: 255, name: 'client_id' })
  clientId!: string;

  @Column('varchar', { length: 255 })
  sub!: string;

  @Column('varchar', { length: 64, nullable: true })
  sid!: string | null;

  @Index('ix_backchannel_deliveries_status')
  @Column('varchar', { length: 16 })
  status!: string;

  @Column('integer')
  attempts!: number;

  @Column('varchar', { length: 1000, name: 'last_error', nullable: true })
  lastError!: string | null;

  @Column('bigint', { name: 'created_at', transformer: epochSeconds })
  createdAt!: number;

  @Index('ix_backchannel_deliveries_updated_at')
  @Column('bigint', { name: 'updated_at', transformer: epochSeconds })
  updatedAt!: number;
}
