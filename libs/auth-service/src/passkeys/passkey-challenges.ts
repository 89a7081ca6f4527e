import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DataSource, LessThan } from 'typeorm';
import { AUTH_CLOCK, AUTH_SERVICE_DATA_SOURCE, nowSeconds, type Clock } from '../auth-service.tokens';
import { AUTH_SERVICE_CONFIG, type AuthServiceConfig } from '../config/auth-service-config';
import { FlowError } from '../http/flow-error';
import { PasskeyChallengeEntity, type PasskeyCeremony } from './passkey.entity';

/** An HttpOnly cookie naming the browser that asked for a ceremony (only its hash is stored). */
export const PASSKEY_BINDING_COOKIE = 'tessera_webauthn';

/** How long a ceremony may take (WebAuthn's `timeout`, and the challenge's lifetime). */
export const CEREMONY_TTL_SECONDS = 300;

const sha256 = (value: string) => createHash('sha256').update(value).digest('base64url');
const SECRET = /^[A-Za-z0-9_-]{43}$/;

export interface CeremonyScope {
  /** The user it is for (second factor, registration). */
  sub?: string;
  /** The login challenge it belongs to (login, second factor). */
  loginChallenge?: string;
  /** The WebAuthn user handle offered at registration. */
  userHandle?: string;
}

export interface IssuedChallenge {
  /** base64url of 32 random bytes: what goes into the options. */
  value: string;
  bytes: Uint8Array<ArrayBuffer>;
}

export interface ConsumedChallenge {
  value: string;
  sub: string | null;
  userHandle: string | null;
}

/**
 * WebAuthn ceremony challenges: 32 random bytes each, stored as a SHA-256 with what they are
 * for, bound to the browser that asked (an HttpOnly, SameSite=Strict cookie whose hash is
 * stored), valid 5 minutes, and consumed by the first answer whatever its outcome: the row is
 * deleted before the answer is verified, and only the request whose DELETE removed it may go on.
 */
@Injectable()
export class PasskeyChallenges {
  constructor(
    @Inject(AUTH_SERVICE_DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(AUTH_CLOCK) private readonly clock: Clock,
    @Inject(AUTH_SERVICE_CONFIG) private readonly config: AuthServiceConfig,
  ) {}

  async issue(req: FastifyRequest, reply: FastifyReply, ceremony: PasskeyCeremony, scope: CeremonyScope): Promise<IssuedChallenge> {
    const now = nowSeconds(this.clock);
    const bytes = randomBytes(32);
    const value = bytes.toString('base64url');
    // Expired ceremonies nobody answered go here (cheap: indexed, and usually none).
    await this.dataSource.manager.delete(PasskeyChallengeEntity, { expiresAt: LessThan(now) });
    await this.dataSource.manager.insert(PasskeyChallengeEntity, {
      storageKey: sha256(value),
      ceremony,
      binding: sha256(this.browserBinding(req, reply)),
      sub: scope.sub ?? null,
      loginChallenge: scope.loginChallenge === undefined ? null : sha256(scope.loginChallenge),
      userHandle: scope.userHandle ?? null,
      expiresAt: now + CEREMONY_TTL_SECONDS,
    });
    return { value, bytes: new Uint8Array(bytes) };
  }

  /**
   * Consumes the challenge a response answered. Refused (`invalid_credentials`) when it is
   * unknown, used, expired, issued to another browser, for another ceremony, user or login.
   */
  async consume(req: FastifyRequest, value: string, ceremony: PasskeyCeremony, scope: CeremonyScope): Promise<ConsumedChallenge> {
    const storageKey = sha256(value);
    const row = await this.dataSource.manager.findOneBy(PasskeyChallengeEntity, { storageKey });
    const deleted = row ? await this.dataSource.manager.delete(PasskeyChallengeEntity, { storageKey }) : undefined;
    if (!row || !deleted?.affected) throw refused('unknown or already used challenge');
    const cookie = req.cookies[PASSKEY_BINDING_COOKIE];
    if (!cookie || !SECRET.test(cookie) || sha256(cookie) !== row.binding) throw refused('challenge issued to another browser');
    if (row.expiresAt <= nowSeconds(this.clock)) throw refused('challenge expired');
    if (row.ceremony !== ceremony) throw refused(`challenge issued for ${row.ceremony}, answered for ${ceremony}`);
    if (scope.sub !== undefined && row.sub !== scope.sub) throw refused('challenge issued to another user');
    if (scope.loginChallenge !== undefined && row.loginChallenge !== sha256(scope.loginChallenge)) throw refused('challenge issued for another login');
    return { value, sub: row.sub, userHandle: row.userHandle };
  }

  /** The browser's binding secret: the one it has (several tabs may run ceremonies), or a new one. */
  private browserBinding(req: FastifyRequest, reply: FastifyReply): string {
    const existing = req.cookies[PASSKEY_BINDING_COOKIE];
    if (existing && SECRET.test(existing)) return existing;
    const secret = randomBytes(32).toString('base64url');
    void reply.setCookie(PASSKEY_BINDING_COOKIE, secret, { path: '/auth', httpOnly: true, sameSite: 'strict', secure: this.config.secureCookies });
    return secret;
  }
}

function refused(detail: string): FlowError {
  return new FlowError('invalid_credentials', 'This passkey request expired or was already used; start again.', {}, detail);
}
