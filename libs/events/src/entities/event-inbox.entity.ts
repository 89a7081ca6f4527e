import { Column, Entity, PrimaryColumn } from 'typeorm';
import { instantColumn } from './columns';

/**
 * Embedded mode's queue, on disk: an envelope handed to one of this service's in-process queues,
 * kept until it is handled or dead-lettered. The in-process queue runs from memory; this row is
 * what brings a delivery back after a crash or a restart (BullMQ keeps the same in Redis).
 * On SQLite the rows live in their primary key's own B-tree (WITHOUT ROWID): each event is one
 * insert and one delete there, not two of each (table and key index), and commits write fewer pages.
 */
@Entity({ name: 'event_inbox', withoutRowid: true })
export class EventInboxEntity {
  @PrimaryColumn({ type: 'varchar', length: 100 })
  queue!: string;

  /** The envelope's id; a random one for what came without a usable id (it is dead-lettered). */
  @PrimaryColumn({ name: 'event_id', type: 'varchar', length: 36 })
  eventId!: string;

  /** The envelope as received, JSON. */
  @Column({ type: 'text' })
  envelope!: string;

  /** Attempts already made; a delivery brought back after a restart goes on from there. */
  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column(instantColumn('received_at'))
  receivedAt!: string;
}
