import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { Brackets, DataSource, type EntityManager } from 'typeorm';
import { inTransaction, Outbox } from '@tessera/events';
import { AUTH_CLOCK, AUTH_SERVICE_DATA_SOURCE, nowSeconds, type Clock } from '../auth-service.tokens';
import { KnownDeviceEntity } from '../database/entities/throttle.entity';
import { UserEntity, type UserStatus } from '../database/entities/user.entity';
import { isUniqueViolation } from '@tessera/runtime';
import { FlowError } from '../http/flow-error';
import { PasswordHasher } from '../passwords/password-hasher';
import { PasswordPolicy } from '../passwords/password-policy';
import { normalizeEmail } from './email';
import { mergeClaims, validateProfileClaims } from './profile-claims';

export const ROLES = ['admin'] as const;
const SUB_PATTERN = /^[A-Za-z0-9._~-]{1,64}$/;
export type Role = (typeof ROLES)[number];

export interface NewUser {
  email?: string | null;
  emailVerified?: boolean;
  password?: string;
  claims?: unknown;
  roles?: string[];
}

/** Users: creation, profile, password, status and deletion, each with its event in the same transaction. */
@Injectable()
export class UsersService {
  constructor(
    @Inject(AUTH_SERVICE_DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(AUTH_CLOCK) private readonly clock: Clock,
    private readonly outbox: Outbox,
    private readonly hasher: PasswordHasher,
    private readonly policy: PasswordPolicy,
  ) {}

  async create(input: NewUser, tx?: EntityManager): Promise<UserEntity> {
    const email = input.email == null ? null : normalizeEmail(input.email);
    if (input.password !== undefined) this.policy.check(input.password, { email });
    const claims = input.claims === undefined ? {} : mergeClaims({}, validateProfileClaims(input.claims));
    const roles = [...new Set(input.roles ?? [])];
    const unknownRole = roles.find((r) => !(ROLES as readonly string[]).includes(r));
    if (unknownRole) throw new FlowError('invalid_request', `Unknown role "${unknownRole}"; roles are: ${ROLES.join(', ')}.`);
    const now = nowSeconds(this.clock);
    const user = Object.assign(new UserEntity(), {
      sub: randomUUID(),
      email,
      emailVerified: input.emailVerified === true && email !== null,
      passwordHash: input.password === undefined ? null : await this.hasher.hash(input.password),
      passwordChangedAt: input.password === undefined ? null : now,
      status: 'active' as UserStatus,
      roles,
      claims,
      createdAt: now,
      updatedAt: now,
    });
    const write = async (manager: EntityManager) => {
      await manager.save(UserEntity, user);
      await this.outbox.add(manager, 'user.created', { sub: user.sub });
    };
    try {
      if (tx) await write(tx);
      else await inTransaction(this.dataSource, write);
    } catch (err) {
      if (isUniqueViolation(err)) throw new FlowError('conflict', 'An account with this email address exists already.');
      throw err;
    }
    return user;
  }

  find(sub: string, tx?: EntityManager): Promise<UserEntity | null> {
    // A sub is a UUID (or an imported id of the same alphabet): anything else names nobody, and never reaches the database.
    if (!SUB_PATTERN.test(sub)) return Promise.resolve(null);
    return (tx ?? this.dataSource.manager).findOneBy(UserEntity, { sub });
  }

  async findByEmail(email: string, tx?: EntityManager): Promise<UserEntity | null> {
    let normalized: string;
    try {
      normalized = normalizeEmail(email);
    } catch {
      return null;
    }
    return (tx ?? this.dataSource.manager).findOneBy(UserEntity, { email: normalized });
  }

  async require(sub: string, tx?: EntityManager): Promise<UserEntity> {
    const user = await this.find(sub, tx);
    if (!user) throw new FlowError('not_found', 'No such user.');
    return user;
  }

  /** The user's OpenID Connect claims (§5.1), as the token service releases them. */
  claimsOf(user: UserEntity): Record<string, unknown> {
    return {
      ...user.claims,
      sub: user.sub,
      ...(user.email ? { email: user.email, email_verified: user.emailVerified } : {}),
      updated_at: user.updatedAt,
    };
  }

  /** `selfService`: the person edits their own profile (standard claims only; see validateProfileClaims). */
  async updateProfile(sub: string, change: unknown, options: { selfService?: boolean } = {}): Promise<UserEntity> {
    const validated = validateProfileClaims(change, options);
    return inTransaction(this.dataSource, async (manager) => {
      const user = await this.require(sub, manager);
      user.claims = mergeClaims(user.claims, validated);
      user.updatedAt = nowSeconds(this.clock);
      await manager.save(UserEntity, user);
      await this.outbox.add(manager, 'user.updated', { sub });
      return user;
    });
  }

  /** Sets a new password (policy checked); `password.changed` makes the token service revoke the user's refresh tokens. */
  async setPassword(sub: string, password: unknown, tx?: EntityManager): Promise<void> {
    const user = await this.require(sub, tx);
    this.policy.check(password, { email: user.email });
    const passwordHash = await this.hasher.hash(password);
    const work = async (manager: EntityManager) => {
      const now = nowSeconds(this.clock);
      await manager.update(UserEntity, { sub }, { passwordHash, passwordChangedAt: now, updatedAt: now });
      // Browsers known from the old password lose their throttling allowance with it.
      await manager.delete(KnownDeviceEntity, { sub });
      await this.outbox.add(manager, 'password.changed', { sub });
    };
    if (tx) await work(tx);
    else await inTransaction(this.dataSource, work);
  }

  /** Checks a password; on success with outdated parameters, stores a new hash (no event: nothing changed for the user). */
  async verifyPassword(user: UserEntity | null, password: string): Promise<boolean> {
    if (!user?.passwordHash) return this.hasher.verifyNobody(password);
    const ok = await this.hasher.verify(user.passwordHash, password);
    if (ok && this.hasher.needsRehash(user.passwordHash)) {
      const passwordHash = await this.hasher.hash(password);
      await this.dataSource.manager.update(UserEntity, { sub: user.sub, passwordHash: user.passwordHash }, { passwordHash });
      user.passwordHash = passwordHash;
    }
    return ok;
  }

  /** Locks, disables or reactivates an account; a locked or disabled account's sessions end (features hook in with onStatusChange). */
  async setStatus(sub: string, status: UserStatus): Promise<void> {
    await inTransaction(this.dataSource, async (manager) => {
      await this.require(sub, manager);
      await manager.update(UserEntity, { sub }, { status, updatedAt: nowSeconds(this.clock) });
      await this.outbox.add(manager, 'user.updated', { sub });
      if (status !== 'active') for (const step of this.deactivationSteps) await step(manager, sub);
    });
  }

  /** An administrator grants or takes away roles (`admin`): the admin API checks them at every request. */
  async setRoles(sub: string, input: unknown): Promise<void> {
    if (!Array.isArray(input) || !input.every((r) => typeof r === 'string')) throw new FlowError('invalid_request', 'roles must be an array of strings.');
    const roles = [...new Set(input as string[])];
    const unknownRole = roles.find((r) => !(ROLES as readonly string[]).includes(r));
    if (unknownRole) throw new FlowError('invalid_request', `Unknown role "${unknownRole}"; roles are: ${ROLES.join(', ')}.`);
    await inTransaction(this.dataSource, async (manager) => {
      await this.require(sub, manager);
      await manager.update(UserEntity, { sub }, { roles, updatedAt: nowSeconds(this.clock) });
      await this.outbox.add(manager, 'user.updated', { sub });
    });
  }

  /**
   * The right password for an account whose address is not verified yet: the sign-up feature
   * mails a new verification link (within its quota), since the person cannot sign in to ask.
   */
  onUnverifiedSignIn(step: (sub: string) => Promise<void>): void {
    this.unverifiedSignInSteps.push(step);
  }

  async unverifiedSignIn(sub: string): Promise<void> {
    for (const step of this.unverifiedSignInSteps) await step(sub).catch(() => undefined);
  }

  private readonly unverifiedSignInSteps: Array<(sub: string) => Promise<void>> = [];

  /** A feature registers what happens when an account stops being active (its sessions end), in the same transaction. */
  onDeactivate(step: (manager: EntityManager, sub: string) => Promise<void>): void {
    this.deactivationSteps.push(step);
  }

  private readonly deactivationSteps: Array<(manager: EntityManager, sub: string) => Promise<void>> = [];

  async setEmail(sub: string, email: string, verified: boolean, tx?: EntityManager): Promise<void> {
    const normalized = normalizeEmail(email);
    const work = async (manager: EntityManager) => {
      await manager.update(UserEntity, { sub }, { email: normalized, emailVerified: verified, updatedAt: nowSeconds(this.clock) });
      await this.outbox.add(manager, 'user.updated', { sub });
    };
    try {
      if (tx) await work(tx);
      else await inTransaction(this.dataSource, work);
    } catch (err) {
      if (isUniqueViolation(err)) throw new FlowError('conflict', 'Another account uses this email address.');
      throw err;
    }
  }

  /**
   * Deletes the user and everything keyed by their `sub` (features register what to delete);
   * `user.deleted` makes the token service revoke their grants and tokens.
   */
  /**
   * Users for the admin API, newest first: `q` matches the start of the email address or a whole
   * `sub`; `after` continues a listing after that (created_at, sub).
   */
  async search(input: { q?: string; status?: UserStatus; after?: { createdAt: number; sub: string }; limit: number }): Promise<UserEntity[]> {
    const query = this.dataSource.manager.createQueryBuilder(UserEntity, 'u').orderBy('u.createdAt', 'DESC').addOrderBy('u.sub', 'DESC').take(input.limit);
    if (input.q) {
      // LIKE's wildcards in the address (an underscore is common) match themselves only.
      const prefix = input.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`);
      query.andWhere(new Brackets((w) => w.where("u.email LIKE :prefix ESCAPE '\\'", { prefix: `${prefix}%` }).orWhere('u.sub = :sub', { sub: input.q })));
    }
    if (input.status) query.andWhere('u.status = :status', { status: input.status });
    if (input.after) {
      const { createdAt, sub } = input.after;
      query.andWhere(new Brackets((w) => w.where('u.createdAt < :createdAt', { createdAt }).orWhere('u.createdAt = :createdAt AND u.sub < :afterSub', { createdAt, afterSub: sub })));
    }
    return query.getMany();
  }

  async delete(sub: string): Promise<void> {
    await inTransaction(this.dataSource, async (manager) => {
      await this.require(sub, manager);
      for (const cleanup of this.deletionSteps) await cleanup(manager, sub);
      await manager.delete(UserEntity, { sub });
      await this.outbox.add(manager, 'user.deleted', { sub });
    });
  }

  /** A feature registers (at start) what it deletes with a user: its own rows, in the deletion's transaction. */
  onDelete(step: (manager: EntityManager, sub: string) => Promise<void>): void {
    this.deletionSteps.push(step);
  }

  private readonly deletionSteps: Array<(manager: EntityManager, sub: string) => Promise<void>> = [];
}
