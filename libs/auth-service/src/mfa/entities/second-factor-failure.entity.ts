import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochSeconds } from '../../database/columns';

/**
 * Wrong second-factor codes, counted per login session (`session:<id>`: the session ends at
 * the limit) and per user (`user:<sub>`: across sessions, so starting new logins does not buy
 * more guesses). In the database, so every replica sees the same counts.
 */
@Entity('mfa_failures')
export class SecondFactorFailureEntity {
  @PrimaryColumn('varchar', { length: 80 })
  key!: string;

  @Index('ix_mfa_failures_sub')
  @Column('varchar', { length: 64 })
  sub!: string;

  @Column('integer')
  failures!: number;

  @Column('bigint', { name: 'first_failure_at', transformer: epochSeconds })
  firstFailureAt!: number;
}
