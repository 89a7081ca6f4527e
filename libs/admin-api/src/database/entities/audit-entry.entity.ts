import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { epochMillis, json } from '../columns';

export type ActorType = 'user' | 'client' | 'system';

/**
 * One line of the audit log: an administrator's action (`admin.*`) or a security event another
 * service reported (`login.failed`, `grant.revoked`, ...). Never holds a secret: details are
 * written from allow-listed fields only.
 */
@Entity('audit_entries')
export class AuditEntryEntity {
  /** Insertion order: the cursor of paging. A string from PostgreSQL's BIGINT, a number from SQLite: read it with Number(). */
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: number | string;

  @Index('ix_audit_entries_occurred_at')
  @Column('bigint', { name: 'occurred_at', transformer: epochMillis })
  occurredAt!: number;

  @Index('ix_audit_entries_type')
  @Column('varchar', { length: 64 })
  type!: string;

  @Column('varchar', { length: 16, name: 'actor_type' })
  actorType!: ActorType;

  @Index('ix_audit_entries_actor_id')
  @Column('varchar', { length: 255, name: 'actor_id', nullable: true })
  actorId!: string | null;

  /** The user the entry is about. */
  @Index('ix_audit_entries_subject')
  @Column('varchar', { length: 255, nullable: true })
  subject!: string | null;

  @Index('ix_audit_entries_client_id')
  @Column('varchar', { length: 255, name: 'client_id', nullable: true })
  clientId!: string | null;

  @Column('varchar', { length: 64, nullable: true })
  ip!: string | null;

  /** The event the entry was made from: a redelivered event is recorded once. */
  @Index('uq_audit_entries_event_id', { unique: true })
  @Column('varchar', { length: 36, name: 'event_id', nullable: true })
  eventId!: string | null;

  @Column('text', { transformer: json })
  details!: Record<string, unknown>;
}
