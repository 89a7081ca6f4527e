import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochSeconds } from './columns';

@Entity('initial_access_tokens')
export class InitialAccessTokenEntity {
  @PrimaryColumn('varchar', { length: 36 })
  id!: string;

  @Index('uq_initial_access_tokens_token_hash', { unique: true })
  @Column('varchar', { length: 64, name: 'token_hash' })
  tokenHash!: string;

  @Column('varchar', { length: 255, nullable: true })
  description!: string | null;

  @Column('simple-json', { nullable: true })
  scopes!: string[] | null;

  @Column('bigint', { name: 'expires_at', nullable: true, transformer: epochSeconds })
  expiresAt!: number | null;

  @Column('bigint', { name: 'created_at', transformer: epochSeconds })
  createdAt!: number;

  @Column('bigint', { name: 'revoked_at', nullable: true, transformer: epochSeconds })
  revokedAt!: number | null;

  @Column('bigint', { name: 'last_used_at', nullable: true, transformer: epochSeconds })
  lastUsedAt!: number | null;

  @Column('integer')
  uses!: number;
}
