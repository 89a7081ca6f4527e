import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DataSource, IsNull, type EntityManager } from 'typeorm';
import { inTransaction, Outbox } from '@tessera/events';
import { AUTH_CLOCK, AUTH_SERVICE_DATA_SOURCE, nowSeconds, type Clock } from '../auth-service.tokens';
import { AUTH_SERVICE_CONFIG, type AuthServiceConfig } from '../config/auth-service-config';
import { LoginSessionEntity } from '../database/entities/login-session.entity';
import { KnownDeviceEntity } from '../database/entities/throttle.entity';
import { UsersService } from '../users/users.service';
import { FlowError } from '../http/flow-error';

export const SESSION_COOKIE = 'tessera_login';

export type LoginSession = LoginSessionEntity;

export interface NewLoginSession {
  sub: string;
  amr: string[];
  stage: LoginSessionEntity['stage'];
  remember: boolean;
  ip?: string;
  userAgent?: string;
  /** When the person authenticated (epoch seconds), if earlier than now (an upstream provider's `auth_time`). */
  authTime?: number;
}

const LAST_SEEN_RESOLUTION_SECONDS = 60;

const storageKeyOf = (secret: string) => createHash('sha256').update(secret).digest('base64url');

/**
 * Login sessions: the server-side record behind the `tessera_login` cookie. A new session
 * (new id, new secret) starts at every login; the secret changes again at each second factor.
 * "Remember me" gives a persistent cookie and a long session; otherwise the cookie ends with
 * the browser and the session after TESSERA_BROWSER_SESSION_TTL at most.
 */
@Injectable()
export class LoginSessionsService implements OnModuleInit {
  constructor(
    @Inject(AUTH_SERVICE_DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(AUTH_CLOCK) private readonly clock: Clock,
    @Inject(AUTH_SERVICE_CONFIG) private readonly config: AuthServiceConfig,
    private readonly outbox: Outbox,
    private readonly users: UsersService,
  ) {}

  onModuleInit() {
    // A deleted user's sessions (ended first, so the token service hears of it) and devices go with them.
    this.users.onDelete(async (manager, sub) => {
      await this.endAllOf(sub, undefined, manager);
      await manager.delete(LoginSessionEntity, { sub });
      await manager.delete(KnownDeviceEntity, { sub });
    });
    // A locked or disabled account is signed out everywhere (each session.ended reaches the token service).
    this.users.onDeactivate(async (manager, sub) => {
      await this.endAllOf(sub, undefined, manager);
    });
  }

  /** The browser's live session, at any stage. */
  async fromRequest(req: FastifyRequest): Promise<LoginSession | null> {
    const secret = req.cookies[SESSION_COOKIE];
    if (!secret || secret.length > 128) return null;
    const session = await this.dataSource.manager.findOneBy(LoginSessionEntity, { storageKey: storageKeyOf(secret), endedAt: IsNull() });
    const now = nowSeconds(this.clock);
    if (!session || session.expiresAt <= now) return null;
    // "Last seen" for the session list, to the minute: not a write at every request.
    if (now - session.lastSeenAt >= LAST_SEEN_RESOLUTION_SECONDS) {
      await this.dataSource.manager.update(LoginSessionEntity, { id: session.id }, { lastSeenAt: now });
      session.lastSeenAt = now;
    }
    return session;
  }

  /** The browser's session if the person has fully signed in. */
  async authenticated(req: FastifyRequest): Promise<LoginSession | null> {
    const session = await this.fromRequest(req);
    return session?.stage === 'authenticated' ? session : null;
  }

  /** Starts a new session (ending the browser's previous one) and sets its cookie. */
  async start(reply: FastifyReply, previous: LoginSession | null, input: NewLoginSession): Promise<LoginSession> {
    const now = nowSeconds(this.clock);
    const secret = randomBytes(32).toString('base64url');
    const session = Object.assign(new LoginSessionEntity(), {
      id: randomUUID(),
      storageKey: storageKeyOf(secret),
      sub: input.sub,
      stage: input.stage,
      amr: [...new Set(input.amr)],
      authTime: Math.min(input.authTime ?? now, now),
      remember: input.remember,
      ip: input.ip?.slice(0, 64) ?? null,
      userAgent: input.userAgent?.slice(0, 255) ?? null,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: now + (input.remember ? this.config.loginSessionTtl : this.config.browserSessionTtl),
      endedAt: null,
    });
    await inTransaction(this.dataSource, async (manager) => {
      if (previous) await this.endIn(manager, previous, now);
      await manager.insert(LoginSessionEntity, session);
    });
    this.setCookie(reply, secret, session);
    return session;
  }

  /**
   * A further factor succeeded: the factor joins `amr` (with `mfa` once two kinds were used),
   * `auth_time` becomes now, the session is authenticated, and the cookie secret is replaced.
   */
  async elevate(reply: FastifyReply, session: LoginSession, amr: string[]): Promise<LoginSession> {
    const secret = randomBytes(32).toString('base64url');
    const now = nowSeconds(this.clock);
    const merged = [...new Set([...session.amr, ...amr])];
    if (!merged.includes('mfa')) merged.push('mfa');
    const changes = { storageKey: storageKeyOf(secret), amr: merged, stage: 'authenticated' as const, authTime: now, lastSeenAt: now };
    const result = await this.dataSource.manager.update(LoginSessionEntity, { id: session.id, storageKey: session.storageKey, endedAt: IsNull() }, changes);
    // Another request (a second factor answered twice at once) changed or ended it first.
    if (!result.affected) throw new FlowError('login_required', 'This sign-in changed in another request; start again.');
    Object.assign(session, changes);
    this.setCookie(reply, secret, session);
    return session;
  }

  /** Marks a fresh authentication on the session (a re-entered password): `auth_time` becomes now, new secret. */
  async refresh(reply: FastifyReply, session: LoginSession, amr: string[]): Promise<LoginSession> {
    const secret = randomBytes(32).toString('base64url');
    const now = nowSeconds(this.clock);
    const changes = { storageKey: storageKeyOf(secret), amr: [...new Set([...session.amr, ...amr])], authTime: now, lastSeenAt: now };
    await this.dataSource.manager.update(LoginSessionEntity, { id: session.id }, changes);
    Object.assign(session, changes);
    this.setCookie(reply, secret, session);
    return session;
  }

  async end(reply: FastifyReply | undefined, session: LoginSession): Promise<void> {
    await inTransaction(this.dataSource, (manager) => this.endIn(manager, session, nowSeconds(this.clock)));
    if (reply) void reply.clearCookie(SESSION_COOKIE, { path: '/' });
  }

  /**
   * Ends a session another service ended (RP-initiated logout at the token service), without
   * announcing it again: the event that asked for it already went everywhere it needs to go.
   */
  async endById(id: string, tx?: EntityManager): Promise<void> {
    await (tx ?? this.dataSource.manager).update(LoginSessionEntity, { id, endedAt: IsNull() }, { endedAt: nowSeconds(this.clock) });
  }

  /** Ends every session of a user but one (a password change ends the others), or all of them. */
  async endAllOf(sub: string, except?: string, tx?: EntityManager): Promise<number> {
    const work = async (manager: EntityManager) => {
      const sessions = await manager.findBy(LoginSessionEntity, { sub, endedAt: IsNull() });
      const now = nowSeconds(this.clock);
      let ended = 0;
      for (const s of sessions) {
        if (s.id === except) continue;
        await this.endIn(manager, s, now);
        ended++;
      }
      return ended;
    };
    return tx ? work(tx) : inTransaction(this.dataSource, work);
  }

  /** A user's live, fully signed-in sessions (for the account page). */
  async listOf(sub: string): Promise<LoginSession[]> {
    const now = nowSeconds(this.clock);
    const sessions = await this.dataSource.manager.find(LoginSessionEntity, { where: { sub, endedAt: IsNull(), stage: 'authenticated' }, order: { createdAt: 'DESC' } });
    return sessions.filter((s) => s.expiresAt > now);
  }

  private async endIn(manager: EntityManager, session: LoginSession, now: number) {
    const result = await manager.update(LoginSessionEntity, { id: session.id, endedAt: IsNull() }, { endedAt: now });
    session.endedAt = now;
    // Ending a login session ends the OP sessions on top of it (the token service consumes this).
    if (result.affected && session.stage === 'authenticated') await this.outbox.add(manager, 'session.ended', { sessionId: session.id, sub: session.sub });
  }

  private setCookie(reply: FastifyReply, secret: string, session: LoginSession) {
    const maxAge = session.remember ? Math.max(0, session.expiresAt - nowSeconds(this.clock)) : undefined;
    void reply.setCookie(SESSION_COOKIE, secret, { path: '/', httpOnly: true, sameSite: 'lax', secure: this.config.secureCookies, ...(maxAge ? { maxAge } : {}) });
  }
}
