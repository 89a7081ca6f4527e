import { Inject, Injectable } from '@nestjs/common';
import { generateSecret, generateURI, verify } from 'otplib';
import { toDataURL } from 'qrcode';
import { DataSource, IsNull, Not } from 'typeorm';
import { inTransaction, Outbox } from '@tessera/events';
import { MasterKeyring } from '@tessera/runtime';
import { AUTH_CLOCK, AUTH_SERVICE_DATA_SOURCE, nowSeconds, type Clock } from '../auth-service.tokens';
import { AUTH_SERVICE_CONFIG, type AuthServiceConfig } from '../config/auth-service-config';
import { FlowError } from '../http/flow-error';
import { UsersService } from '../users/users.service';
import { TotpCredentialEntity } from './entities';

/** RFC 6238 defaults every authenticator app understands: SHA-1, 6 digits, 30-second steps. */
export const TOTP_PERIOD = 30;
/** Codes of the previous and the next step are accepted too (clock drift, RFC 6238 §5.2). */
const DRIFT_STEPS = 1;
/** An enrollment not confirmed within this many seconds must be started again. */
export const TOTP_ENROLLMENT_TTL = 900;

export interface TotpEnrollment {
  secret: string;
  otpauth_uri: string;
  qr_code: string;
}

/** The master-key context of a user's secret: a ciphertext copied to another row does not decrypt. */
export const totpSecretContext = (sub: string) => `auth-service:mfa_totp:${sub}`;

/** Six digits, spaces (as apps display "123 456") ignored. */
function normalizeCode(code: string): string | null {
  const digits = code.replace(/\s+/g, '');
  return /^\d{6}$/.test(digits) ? digits : null;
}

/**
 * TOTP authenticators: enrollment (secret, otpauth URI, QR code), confirmation with a first
 * code, and code checks in which each time step is accepted once per user.
 */
@Injectable()
export class TotpService {
  constructor(
    @Inject(AUTH_SERVICE_DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(AUTH_CLOCK) private readonly clock: Clock,
    @Inject(AUTH_SERVICE_CONFIG) private readonly config: AuthServiceConfig,
    private readonly keyring: MasterKeyring,
    private readonly outbox: Outbox,
    private readonly users: UsersService,
  ) {}

  /** Whether the user has a confirmed authenticator (what makes MFA required). */
  async enrolled(sub: string): Promise<boolean> {
    return this.dataSource.manager.existsBy(TotpCredentialEntity, { sub, confirmedAt: Not(IsNull()) });
  }

  async find(sub: string): Promise<TotpCredentialEntity | null> {
    return this.dataSource.manager.findOneBy(TotpCredentialEntity, { sub });
  }

  /** Starts (or restarts) an enrollment: a new secret, shown once, stored encrypted. */
  async startEnrollment(sub: string): Promise<TotpEnrollment> {
    const user = await this.users.require(sub);
    const secret = generateSecret();
    const secretEncrypted = await this.keyring.encrypt(secret, totpSecretContext(sub));
    await inTransaction(this.dataSource, async (manager) => {
      const existing = await manager.findOneBy(TotpCredentialEntity, { sub });
      if (existing?.confirmedAt != null) throw new FlowError('conflict', 'An authenticator app is set up already; remove it first to set up another.');
      if (existing) await manager.delete(TotpCredentialEntity, { sub });
      await manager.insert(TotpCredentialEntity, { sub, secretEncrypted, createdAt: nowSeconds(this.clock), confirmedAt: null, lastUsedStep: null });
    });
    const otpauthUri = generateURI({ issuer: this.issuerLabel(), label: user.email ?? sub, secret, period: TOTP_PERIOD });
    return { secret, otpauth_uri: otpauthUri, qr_code: await toDataURL(otpauthUri, { errorCorrectionLevel: 'M', margin: 2, width: 256 }) };
  }

  /** The first code from the app proves it holds the secret: the authenticator becomes a factor (`mfa.changed`). */
  async confirm(sub: string, code: string): Promise<void> {
    const pending = await this.find(sub);
    if (!pending || pending.confirmedAt !== null) throw new FlowError('conflict', 'There is no authenticator app set-up in progress; start one first.');
    if (nowSeconds(this.clock) - pending.createdAt > TOTP_ENROLLMENT_TTL) {
      throw new FlowError('invalid_request', 'This set-up has expired: start again and scan the new QR code.');
    }
    const step = await this.matchingStep(pending, code);
    if (step === null) throw new FlowError('invalid_request', 'The code is not correct: check the time on your device and enter the current code.');
    await inTransaction(this.dataSource, async (manager) => {
      // Only the secret the user just proved, and only once (a concurrent restart or confirm loses).
      const result = await manager.update(
        TotpCredentialEntity,
        { sub, secretEncrypted: pending.secretEncrypted, confirmedAt: IsNull() },
        { confirmedAt: nowSeconds(this.clock), lastUsedStep: step },
      );
      if (!result.affected) throw new FlowError('conflict', 'The set-up changed meanwhile; start again.');
      await this.outbox.add(manager, 'mfa.changed', { sub, factor: 'totp', change: 'added' });
    });
  }

  /**
   * Checks a login code. True at most once per time step: the step is recorded by a conditional
   * UPDATE that only a later step can pass, so a replayed (or concurrently raced) code fails.
   */
  async verifyLogin(sub: string, code: string): Promise<boolean> {
    const credential = await this.find(sub);
    if (!credential || credential.confirmedAt === null) return false;
    const step = await this.matchingStep(credential, code);
    if (step === null) return false;
    return inTransaction(this.dataSource, async (manager) => {
      const result = await manager
        .createQueryBuilder()
        .update(TotpCredentialEntity)
        .set({ lastUsedStep: step })
        .where('"sub" = :sub AND "confirmed_at" IS NOT NULL AND ("last_used_step" IS NULL OR "last_used_step" < :step)', { sub, step })
        .execute();
      return (result.affected ?? 0) === 1;
    });
  }

  /** Removes the authenticator (or an unfinished set-up); `mfa.changed` when it was a factor. */
  async remove(sub: string): Promise<void> {
    await inTransaction(this.dataSource, async (manager) => {
      const existing = await manager.findOneBy(TotpCredentialEntity, { sub });
      if (!existing) throw new FlowError('not_found', 'No authenticator app is set up.');
      await manager.delete(TotpCredentialEntity, { sub });
      if (existing.confirmedAt !== null) await this.outbox.add(manager, 'mfa.changed', { sub, factor: 'totp', change: 'removed' });
    });
  }

  /** An administrator's MFA reset: the authenticator (or its unfinished set-up) goes; true when there was a confirmed one. */
  async reset(sub: string): Promise<boolean> {
    return inTransaction(this.dataSource, async (manager) => {
      const existing = await manager.findOneBy(TotpCredentialEntity, { sub });
      if (!existing) return false;
      await manager.delete(TotpCredentialEntity, { sub });
      if (existing.confirmedAt === null) return false;
      await this.outbox.add(manager, 'mfa.changed', { sub, factor: 'totp', change: 'removed' });
      return true;
    });
  }

  /** The time step whose code this is (within the drift window, after the last used step), or null. */
  private async matchingStep(credential: TotpCredentialEntity, code: string): Promise<number | null> {
    const token = normalizeCode(code);
    if (!token) return null;
    const now = nowSeconds(this.clock);
    const newestStep = Math.floor(now / TOTP_PERIOD) + DRIFT_STEPS;
    const last = credential.lastUsedStep;
    // Nothing left to accept in the window (otplib refuses an afterTimeStep beyond it).
    if (last !== null && last >= newestStep) return null;
    const secret = await this.keyring.decrypt(credential.secretEncrypted, totpSecretContext(credential.sub));
    const result = await verify({
      secret,
      token,
      epoch: now,
      period: TOTP_PERIOD,
      epochTolerance: DRIFT_STEPS * TOTP_PERIOD,
      ...(last !== null ? { afterTimeStep: last } : {}),
    });
    // The functional API types its answer for TOTP and HOTP alike; a TOTP match carries its step.
    return result.valid && 'timeStep' in result ? result.timeStep : null;
  }

  /** The account name authenticator apps show above the code: the issuer's host. */
  private issuerLabel(): string {
    return new URL(this.config.issuer).host;
  }
}
