import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochSeconds } from '../columns';

export type UserStatus = 'active' | 'locked' | 'disabled';

/**
 * A person. `sub` is stable and never reused; `email` is stored lower-cased (unique). The
 * profile claims (OIDC Core §5.1) other than email live in `claims` as JSON, so adding one
 * needs no migration. The password is an argon2id PHC string, or null (passkey or upstream only).
 */
@Entity('users')
export class UserEntity {
  @PrimaryColumn('varchar', { length: 64 })
  sub!: string;

  @Index('uq_users_email', { unique: true })
  @Column('varchar', { length: 320, nullable: true })
  email!: string | null;

  @Column('boolean', { name: 'email_verified', default: false })
  emailVerified!: boolean;

  @Column('text', { name: 'password_hash', nullable: true })
  passwordHash!: string | null;

  @Column('bigint', { name: 'password_changed_at', nullable: true, transformer: epochSeconds })
  passwordChangedAt!: number | null;

  @Column('varchar', { length: 16, default: 'active' })
  status!: UserStatus;

  @Column('simple-json')
  roles!: string[];

  @Column('simple-json')
  claims!: Record<string, unknown>;

  @Column('bigint', { name: 'created_at', transformer: epochSeconds })
  createdAt!: number;

  @Column('bigint', { name: 'updated_at', transformer: epochSeconds })
  updatedAt!: number;
}
