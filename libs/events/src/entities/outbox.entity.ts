import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { instantColumn } from './columns';

/** Events waiting to be relayed; written in the same transaction as the change they describe. */
@Entity({ name: 'outbox' })
export class OutboxEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 100 })
  name!: string;

  @Column({ type: 'integer' })
  version!: number;

  /** The payload as JSON text: portable, and relayed byte for byte. */
  @Column({ type: 'text' })
  payload!: string;

  @Column(instantColumn('occurred_at'))
  occurredAt!: string;

  /** NULL until every subscribed queue accepted the event; the relay's work list. */
  @Index('IDX_outbox_published_at')
  @Column(instantColumn('published_at', { nullable: true }))
  publishedAt!: string | null;

  /** Failed relay attempts, so an event stuck behind a broken queue is visible. */
  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;
}
