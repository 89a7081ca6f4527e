import { Column, Entity, PrimaryColumn } from 'typeorm';
import { epochSeconds } from './columns';

/** An access revocation carried out (`revocation.requested`), by the id the admin API gave it. */
@Entity('access_revocations')
export class AccessRevocationEntity {
  @PrimaryColumn('varchar', { length: 36, name: 'revocation_id' })
  revocationId!: string;

  @Column('varchar', { length: 255, name: 'client_id' })
  clientId!: string;

  @Column('varchar', { length: 255, nullable: true })
  sub!: string | null;

  @Column('bigint', { name: 'requested_at', transformer: epochSeconds })
  requestedAt!: number;

  @Column('integer')
  grants!: number;

  @Column('integer')
  sessions!: number;

  @Column('bigint', { name: 'completed_at', transformer: epochSeconds })
  completedAt!: number;
}
