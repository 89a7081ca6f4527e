import { Column, Entity, PrimaryColumn } from 'typeorm';
import { epochSeconds } from './columns';

/**
 * A client that received a code or tokens on top of an OP session: whom to notify (front- and
 * back-channel logout) when the session ends. One row per (sid, client), written idempotently.
 */
@Entity('op_session_clients')
export class OpSessionClientEntity {
  @PrimaryColumn('varchar', { length: 64 })
  sid!: string;

  @PrimaryColumn('varchar', { length: 255, name: 'client_id' })
  clientId!: string;

  @Column('bigint', { name: 'created_at', transformer: epochSeconds })
  createdAt!: number;

  /** The latest code or tokens on the session, to the minute (see OpSessionStore.addClient). */
  @Column('bigint', { name: 'last_used_at', nullable: true, transformer: epochSeconds })
  lastUsedAt!: number | null;
}
