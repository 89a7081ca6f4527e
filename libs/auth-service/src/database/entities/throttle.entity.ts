import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochSeconds } from '../columns';

/** Failed password attempts per account (`acct:<email>`) or client IP (`ip:<address>`), shared by every replica. */
@Entity('login_throttle')
export class LoginThrottleEntity {
  @PrimaryColumn('varchar', { length: 400 })
  key!: string;

  @Column('integer')
  failures!: number;

  @Column('bigint', { name: 'first_failure_at', transformer: epochSeconds })
  firstFailureAt!: number;

  @Column('bigint', { name: 'last_failure_at', transformer: epochSeconds })
  lastFailureAt!: number;

  @Column('bigint', { name: 'locked_until', nullable: true, transformer: epochSeconds })
  lockedUntil!: number | null;
}

/** A browser that signed in to an account before: its cookie's hash, per account. */
@Entity('known_devices')
export class KnownDeviceEntity {
  @PrimaryColumn('varchar', { length: 64, name: 'storage_key' })
  storageKey!: string;

  @Index('ix_known_devices_sub')
  @PrimaryColumn('varchar', { length: 64 })
  sub!: string;

  @Column('bigint', { name: 'last_seen_at', transformer: epochSeconds })
  lastSeenAt!: number;
}
