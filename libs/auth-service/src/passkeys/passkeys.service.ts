import { randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { inTransaction, Outbox } from '@tessera/events';
import { SignInMethods } from '../account/sign-in-methods';
import { AUTH_CLOCK, AUTH_SERVICE_DATA_SOURCE, nowSeconds, type Clock } from '../auth-service.tokens';
import { isUniqueViolation } from '@tessera/runtime';
import { FlowError } from '../http/flow-error';
import { PasskeyChallengeEntity, PasskeyEntity } from './passkey.entity';
import type { NewCredential, VerifiedAssertion } from './relying-party';

/** The factor's name in `mfa.changed`, in the login flow's factor list and among the sign-in methods. */
export const PASSKEY_FACTOR = 'passkey';

const NAME_MAX = 64;

/**
 * What an id of ours can look like (we issue UUIDs; the column holds 64 characters): URL-safe
 * characters only, so a path holding NUL or other text the database refuses (PostgreSQL:
 * 22021, a 500) is answered 404 before any query.
 */
const PASSKEY_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** A passkey's name as the user typed it: trimmed, 1 to 64 characters, no control characters. */
export function passkeyName(value: unknown, fallback?: string): string {
  if (value === undefined && fallback !== undefined) return fallback;
  const name = typeof value === 'string' ? value.trim() : '';
  if (!name || name.length > NAME_MAX || /\p{Cc}/u.test(name)) {
    throw new FlowError('invalid_request', `name must be 1 to ${NAME_MAX} characters of text.`);
  }
  return name;
}

/** The user's passkeys: stored at registration, used at sign-in (counter), renamed, removed. */
@Injectable()
export class PasskeysService {
  constructor(
    @Inject(AUTH_SERVICE_DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(AUTH_CLOCK) private readonly clock: Clock,
    private readonly outbox: Outbox,
    private readonly signInMethods: SignInMethods,
  ) {}

  listOf(sub: string): Promise<PasskeyEntity[]> {
    return this.dataSource.manager.find(PasskeyEntity, { where: { sub }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  countOf(sub: string): Promise<number> {
    return this.dataSource.manager.countBy(PasskeyEntity, { sub });
  }

  findByCredentialId(credentialId: string): Promise<PasskeyEntity | null> {
    return this.dataSource.manager.findOneBy(PasskeyEntity, { credentialId: credentialId.replace(/=+$/, '') });
  }

  async require(sub: string, id: string): Promise<PasskeyEntity> {
    const passkey = PASSKEY_ID.test(id) ? await this.dataSource.manager.findOneBy(PasskeyEntity, { id, sub }) : null;
    if (!passkey) throw new FlowError('not_found', 'No such passkey.');
    return passkey;
  }

  /**
   * The WebAuthn user handle to offer at registration: the one the user's passkeys already carry
   * (an authenticator then replaces its own old credential for this account instead of adding
   * one), else 32 new random bytes.
   */
  async userHandleFor(sub: string): Promise<string> {
    const existing = await this.dataSource.manager.findOne(PasskeyEntity, { where: { sub }, order: { createdAt: 'ASC' } });
    return existing?.userHandle ?? randomBytes(32).toString('base64url');
  }

  /** Stores a verified new credential; `mfa.changed` in the same transaction. */
  async add(sub: string, userHandle: string, credential: NewCredential, name: string): Promise<PasskeyEntity> {
    const passkey = Object.assign(new PasskeyEntity(), {
      id: randomUUID(),
      sub,
      credentialId: credential.credentialId,
      userHandle,
      publicKey: credential.publicKey,
      signCount: credential.signCount,
      transports: credential.transports,
      deviceType: credential.deviceType,
      backedUp: credential.backedUp,
      aaguid: credential.aaguid,
      name,
      createdAt: nowSeconds(this.clock),
      lastUsedAt: null,
    });
    try {
      await inTransaction(this.dataSource, async (manager) => {
        await manager.insert(PasskeyEntity, passkey);
        await this.outbox.add(manager, 'mfa.changed', { sub, factor: PASSKEY_FACTOR, change: 'added' });
      });
    } catch (err) {
      // WebAuthn §7.1 step 26: a credential id registered already (to anyone) is refused.
      if (isUniqueViolation(err)) throw new FlowError('conflict', 'This passkey is registered already.');
      throw err;
    }
    return passkey;
  }

  async rename(sub: string, id: string, name: string): Promise<PasskeyEntity> {
    const passkey = await this.require(sub, id);
    await this.dataSource.manager.update(PasskeyEntity, { id, sub }, { name });
    passkey.name = name;
    return passkey;
  }

  /**
   * Removes a passkey unless it is the user's last way to sign in; `mfa.changed` in the same
   * transaction. The user's row is locked meanwhile (PostgreSQL; SQLite transactions take turns),
   * so two removals at once cannot both see the other passkey as the remaining way in.
   */
  async remove(sub: string, id: string): Promise<void> {
    await this.require(sub, id);
    await this.signInMethods.removeUnlessLast(sub, 1, async (manager) => {
      const deleted = await manager.delete(PasskeyEntity, { id, sub });
      if (!deleted.affected) throw new FlowError('not_found', 'No such passkey.');
      await this.outbox.add(manager, 'mfa.changed', { sub, factor: PASSKEY_FACTOR, change: 'removed' });
    });
  }

  /**
   * Records a verified use. The new counter is written only over the value the assertion was
   * verified against: of two concurrent uses of one counter value (a clone), one is refused.
   */
  async recordUse(passkey: PasskeyEntity, assertion: VerifiedAssertion): Promise<boolean> {
    const result = await this.dataSource.manager.update(
      PasskeyEntity,
      { id: passkey.id, signCount: passkey.signCount },
      { signCount: assertion.newSignCount, backedUp: assertion.backedUp, lastUsedAt: nowSeconds(this.clock) },
    );
    return (result.affected ?? 0) > 0;
  }

  /** With a deleted user: their passkeys and pending ceremonies. */
  async deleteAllOf(manager: EntityManager, sub: string): Promise<void> {
    await manager.delete(PasskeyEntity, { sub });
    await manager.delete(PasskeyChallengeEntity, { sub });
  }
}
