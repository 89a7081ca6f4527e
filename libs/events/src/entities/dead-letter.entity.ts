import { Column, Entity, PrimaryColumn } from 'typeorm';
import { instantColumn } from './columns';

/**
 * Deliveries that ran out of attempts (or could never succeed), kept with everything needed
 * to inspect and replay them. The envelope fields are nullable because what arrived off a
 * queue is not always a well-formed envelope; `payload` then holds whatever was received.
 */
@Entity({ name: 'dead_letters' })
export class DeadLetterEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'event_id', type: 'varchar', length: 36, nullable: true })
  eventId!: string | null;

  @Column({ type: 'varchar', length: 100 })
  queue!: string;

  @Column({ type: 'varchar', length: 100, nullable: true })
  name!: string | null;

  @Column({ type: 'integer', nullable: true })
  version!: number | null;

  @Column(instantColumn('occurred_at', { nullable: true }))
  occurredAt!: string | null;

  @Column({ type: 'text' })
  payload!: string;

  @Column({ type: 'text' })
  error!: string;

  @Column({ type: 'integer' })
  attempts!: number;

  @Column(instantColumn('failed_at'))
  failedAt!: string;
}
