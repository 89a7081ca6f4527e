import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochSeconds } from '../columns';

/**
 * Failed password attempts per account (`acct:<email>`), per known browser and account
 * (`dev:<device>:<email>`) or per client IP (`ip:<address or IPv6 /64>`), shared by every replica.
 */
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

  /** The earliest epoch second the next attempt may run (the growing delay, or the lock). */
  @Column('bigint', { name: 'next_allowed_at', default: 0, transformer: epochSeconds })
  nextAllowedAt!: number;

  /** A password check for this key is running until then: one at a time per account. */
  @Column('bigint', { name: 'in_flight_until', nullable: true, transformer: epochSeconds })
  inFlightUntil!: number | null;
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
