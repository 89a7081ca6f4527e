import { Column, Entity, PrimaryColumn } from 'typeorm';
import { epochMillis } from '../columns';

export type RevocationStatus = 'pending' | 'completed';

/** "Revoke access": one client everywhere, or one user × one client; carried out by the token service. */
@Entity('revocations')
export class RevocationEntity {
  @PrimaryColumn('varchar', { length: 36 })
  id!: string;

  @Column('varchar', { length: 255, name: 'client_id' })
  clientId!: string;

  @Column('varchar', { length: 255, nullable: true })
  sub!: string | null;

  @Column('boolean', { name: 'disable_client' })
  disableClient!: boolean;

  @Column('varchar', { length: 16 })
  status!: RevocationStatus;

  @Column('varchar', { length: 255, name: 'requested_by' })
  requestedBy!: string;

  @Column('bigint', { name: 'requested_at', transformer: epochMillis })
  requestedAt!: number;

  @Column('bigint', { name: 'completed_at', nullable: true, transformer: epochMillis })
  completedAt!: number | null;

  @Column('integer', { nullable: true })
  grants!: number | null;

  @Column('integer', { nullable: true })
  sessions!: number | null;
}
