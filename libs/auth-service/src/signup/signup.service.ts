import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { inTransaction } from '@tessera/events';
import { AUTH_SERVICE_DATA_SOURCE } from '../auth-service.tokens';
import type { UserEntity } from '../database/entities/user.entity';
import { FlowError } from '../http/flow-error';
import { MailRequests } from '../mail/mail-requests';
import { assertMailable } from '../mail/mailable';
import { PasswordHasher } from '../passwords/password-hasher';
import { PasswordPolicy } from '../passwords/password-policy';
import { normalizeEmail } from '../users/email';
import { validateProfileClaims } from '../users/profile-claims';
import { UsersService } from '../users/users.service';
import { MailQuota } from './mail-quota';
import { isTokenShaped, VerificationTokens } from './verification-tokens';

export interface SignUpInput {
  email: unknown;
  password: unknown;
  claims?: unknown;
}

/**
 * Sign-up without revealing which addresses have accounts. Every refusal a caller can see
 * (malformed address, weak password, bad claims) depends on the input alone and is decided
 * before looking the address up. Then:
 * - a new address: the account is created unverified, and a verification link is mailed to it;
 * - an address with an account: nothing is created, the same argon2id work is done (so the
 *   answer takes as long), and the owner is told that someone tried ("signup-existing-account",
 *   a few per hour at most).
 * The caller gets the same answer either way.
 *
 * Signing in after sign-up: a sign-up that carries a login challenge cannot sign the browser in
 * at once, since a new account would get a session (or a redirect to the client) and an existing
 * address would not, which tells them apart. Instead both get a random "pending sign-in" secret
 * (an HttpOnly cookie). For a new account it is a `signup_signin` token, usable once the address
 * is verified (from any device): then this browser finishes the login challenge with `amr: pwd`,
 * having proven the password at sign-up. For an existing address it is random bytes no row knows,
 * which behaves exactly like an account whose address is not verified yet.
 */
@Injectable()
export class SignupService {
  constructor(
    private readonly users: UsersService,
    private readonly policy: PasswordPolicy,
    private readonly hasher: PasswordHasher,
    private readonly tokens: VerificationTokens,
    private readonly quota: MailQuota,
    private readonly mail: MailRequests,
    @Inject(AUTH_SERVICE_DATA_SOURCE) private readonly dataSource: DataSource,
  ) {}

  /** Signs up; returns the pending sign-in secret when `withSignIn` (identical in form in every case). */
  async signUp(input: SignUpInput, withSignIn: boolean): Promise<string | undefined> {
    const email = normalizeEmail(input.email);
    assertMailable(email);
    if (typeof input.password !== 'string') throw new FlowError('invalid_request', 'password is required.');
    const password = input.password;
    this.policy.check(password, { email });
    if (input.claims !== undefined) validateProfileClaims(input.claims);

    const existing = await this.users.findByEmail(email);
    if (!existing) {
      let user: UserEntity;
      try {
        user = await this.users.create({ email, password, claims: input.claims });
      } catch (err) {
        // Signed up by someone else a moment ago: answered as any existing address (its owner is the racer).
        if (err instanceof FlowError && err.code === 'conflict') return withSignIn ? unusableSecret() : undefined;
        throw err;
      }
      return inTransaction(this.dataSource, async (manager) => {
        const token = await this.tokens.issue(manager, { purpose: 'verify_email', sub: user.sub, email });
        await this.mail.request(manager, { to: email, template: 'verify-email', secrets: { token } });
        return withSignIn ? this.tokens.issue(manager, { purpose: 'signup_signin', sub: user.sub, email }) : undefined;
      });
    }

    // The hash a new account would cost, so that the time of the answer tells nothing.
    await this.hasher.hash(password);
    const { allowed } = await this.quota.take('signupNotice', existing.sub);
    if (allowed && existing.email) {
      const to = existing.email;
      await inTransaction(this.dataSource, (manager) => this.mail.request(manager, { to, template: 'signup-existing-account' }));
    }
    return withSignIn ? unusableSecret() : undefined;
  }

  /**
   * The account whose sign-up this browser's pending secret stands for, once its address is
   * verified; the secret is used up then. Undefined while it is not (or never will be) ready.
   */
  async pendingSignIn(secret: unknown): Promise<UserEntity | undefined> {
    if (!isTokenShaped(secret)) return undefined;
    try {
      const pending = await this.tokens.peek(secret, ['signup_signin']);
      const user = await this.users.find(pending.sub);
      // The address verified must be the one signed up with (not changed since).
      if (!user || !user.emailVerified || user.email !== pending.email) return undefined;
      await this.tokens.consume(secret, ['signup_signin']);
      return user;
    } catch (err) {
      if (err instanceof FlowError && err.code === 'invalid_link') return undefined;
      throw err;
    }
  }
}

/** Looks like a pending sign-in secret; stands for nothing. */
const unusableSecret = () => randomBytes(32).toString('base64url');
