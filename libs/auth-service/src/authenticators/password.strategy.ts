import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { Strategy } from 'passport-custom';
import { inTransaction, Outbox } from '@tessera/events';
import { DataSource } from 'typeorm';
import { AUTH_SERVICE_DATA_SOURCE } from '../auth-service.tokens';
import { AUTH_SERVICE_CONFIG, type AuthServiceConfig } from '../config/auth-service-config';
import { clientIp } from '@tessera/runtime';
import { FlowError } from '../http/flow-error';
import { LoginThrottle } from '../throttle/login-throttle';
import { UsersService } from '../users/users.service';
import { normalizeEmail } from '../users/email';
import { assertMaySignIn } from '../flows/login-flow.service';
import { STRATEGY, type Authentication } from './authentication';

/** The same answer for a wrong password, an unknown account and an account without a password. */
export const INVALID_CREDENTIALS = 'The email address or password is not correct.';

/**
 * Email + password (`amr: pwd`). Throttling is checked before any hash work; an unknown account
 * costs the same argon2id verify as a known one, and gets the same answer. A disabled or
 * locked account is refused only after a correct password, so the refusal reveals nothing to
 * someone who does not know it.
 */
@Injectable()
export class PasswordStrategy extends PassportStrategy(Strategy, STRATEGY.password) {
  constructor(
    private readonly users: UsersService,
    private readonly throttle: LoginThrottle,
    private readonly outbox: Outbox,
    @Inject(AUTH_SERVICE_DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(AUTH_SERVICE_CONFIG) private readonly config: AuthServiceConfig,
  ) {
    super();
  }

  async validate(req: FastifyRequest): Promise<Authentication> {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const { email, password } = body;
    if (typeof email !== 'string' || typeof password !== 'string' || !email || !password || password.length > 1024) {
      throw new FlowError('invalid_request', 'email and password are required.');
    }
    let account: string;
    try {
      account = normalizeEmail(email);
    } catch {
      // Not an address: it names no account, but is throttled (and answered) like one that does not exist;
      // control characters are dropped, so they never reach the database.
      account = email.trim().toLowerCase().replace(/\p{Cc}/gu, '').slice(0, 320);
    }
    return this.check(req, account, password);
  }

  /** The password check itself, shared with the password grant's internal credential check. */
  async check(req: FastifyRequest, account: string, password: string, clientId?: string, ip = clientIp(req, this.config.trustedProxies)): Promise<Authentication> {
    const user = await this.users.findByEmail(account);
    const attempt = { account, sub: user?.sub, ip, device: req.cookies[this.throttle.deviceCookie] };
    await this.throttle.check(attempt);
    const ok = await this.users.verifyPassword(user, password);
    if (!ok || !user) {
      await this.throttle.failed(attempt);
      await this.record('login.failed', { sub: user?.sub, clientId, ip });
      throw new FlowError('invalid_credentials', INVALID_CREDENTIALS);
    }
    // The right password: the throttle's count starts over (and its slot is free), whatever follows.
    await this.throttle.succeeded(attempt);
    try {
      assertMaySignIn(user);
    } catch (err) {
      await this.record('login.failed', { sub: user.sub, clientId, ip });
      // The right password for an unverified address: a new link goes to that address.
      if (user.status === 'active' && user.email && !user.emailVerified) await this.users.unverifiedSignIn(user.sub);
      throw err;
    }
    return { user, amr: ['pwd'] };
  }

  private async record(name: 'login.failed', payload: { sub?: string; clientId?: string; ip: string }) {
    await inTransaction(this.dataSource, (manager) => this.outbox.add(manager, name, stripUndefined(payload)));
  }
}

const stripUndefined = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
