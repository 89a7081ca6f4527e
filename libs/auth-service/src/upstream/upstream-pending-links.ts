import { Inject, Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DataSource, LessThan, type EntityManager } from 'typeorm';
import { inTransaction, Outbox } from '@tessera/events';
import { AUTH_CLOCK, AUTH_SERVICE_DATA_SOURCE, nowSeconds, type Clock } from '../auth-service.tokens';
import { AUTH_SERVICE_CONFIG, type AuthServiceConfig } from '../config/auth-service-config';
import { FlowError } from '../http/flow-error';
import { LoginSessionsService } from '../sessions/login-sessions.service';
import { clearUpstreamCookie, cookieValue, hashOf, newSecret, PENDING_LINK_COOKIE, setUpstreamCookie } from './browser-binding';
import type { UpstreamIdpEntity } from './entities/upstream-idp.entity';
import type { UpstreamLinkEntity } from './entities/upstream-link.entity';
import { UpstreamPendingLinkEntity } from './entities/upstream-pending-link.entity';
import { UpstreamIdpsService } from './upstream-idps.service';
import { UpstreamLinksService } from './upstream-links.service';

/** How long the person has to sign in to their account and confirm (seconds). */
export const PENDING_LINK_TTL = 600;

/**
 * Linking an upstream account to the local account that has its email address, only with
 * proof that the person owns that local account (no pre-account hijacking, no takeover
 * through a provider that asserts someone else's address):
 *
 * 1. The upstream sign-in meets a local account with the same email address. Nothing is linked
 *    and nobody is signed in. A pending link (provider, upstream `sub`, target account) is
 *    stored server-side, keyed by the SHA-256 of a random secret set in an HttpOnly cookie of
 *    this browser; the browser goes to the login page (`link=required`).
 * 2. The person signs in to the local account there, with its own credentials (password, and
 *    MFA when enrolled: the session is `authenticated` only after every required factor).
 * 3. The portal calls `POST /auth/upstream/link/confirm` (CSRF-protected). The link is made only
 *    when this browser holds the pending link's cookie, its login session is authenticated as
 *    the target account, and that sign-in happened after the pending link was created (an
 *    older session is not proof given now). The pending link is then deleted (single use).
 *
 * An attacker who controls an upstream account with the victim's address gets a pending link
 * in the attacker's own browser and cannot complete step 2; a victim lured into the flow
 * cannot be linked without their own deliberate sign-in and confirmation.
 */
@Injectable()
export class UpstreamPendingLinks {
  constructor(
    @Inject(AUTH_SERVICE_DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(AUTH_CLOCK) private readonly clock: Clock,
    @Inject(AUTH_SERVICE_CONFIG) private readonly config: AuthServiceConfig,
    private readonly sessions: LoginSessionsService,
    private readonly idps: UpstreamIdpsService,
    private readonly links: UpstreamLinksService,
    private readonly outbox: Outbox,
  ) {}

  /** Step 1. `issuer` asserted `upstreamSub`: a provider whose issuer changed since keeps no pending link (UpstreamIdpsService.update). */
  async create(reply: FastifyReply, input: { idp: Pick<UpstreamIdpEntity, 'id'>; issuer: string; upstreamSub: string; email: string | null; sub: string }): Promise<void> {
    const now = nowSeconds(this.clock);
    const secret = newSecret();
    await inTransaction(this.dataSource, async (manager) => {
      await this.idps.holdIssuer(manager, input.idp.id, input.issuer);
      await manager.delete(UpstreamPendingLinkEntity, { expiresAt: LessThan(now) });
      await manager.insert(UpstreamPendingLinkEntity, {
        keyHash: hashOf(secret),
        idpId: input.idp.id,
        upstreamSub: input.upstreamSub,
        email: input.email,
        sub: input.sub,
        createdAt: now,
        expiresAt: now + PENDING_LINK_TTL,
      });
    });
    setUpstreamCookie(reply, PENDING_LINK_COOKIE, secret, this.config.secureCookies, PENDING_LINK_TTL);
  }

  /** The pending link of this browser, if any. */
  async current(req: FastifyRequest): Promise<{ pending: UpstreamPendingLinkEntity; idp: UpstreamIdpEntity } | null> {
    const secret = cookieValue(req, PENDING_LINK_COOKIE);
    if (!secret) return null;
    const pending = await this.dataSource.manager.findOneBy(UpstreamPendingLinkEntity, { keyHash: hashOf(secret) });
    if (!pending || pending.expiresAt <= nowSeconds(this.clock)) return null;
    const idp = await this.idps.find(pending.idpId);
    return idp?.enabled ? { pending, idp } : null;
  }

  /** Step 3: makes the link after the checks above; `user.updated` for the account. */
  async confirm(req: FastifyRequest, reply: FastifyReply): Promise<{ link: UpstreamLinkEntity; idp: UpstreamIdpEntity }> {
    const found = await this.current(req);
    if (!found) throw new FlowError('not_found', 'No account link is waiting in this browser (it may have expired); sign in with the identity provider again.');
    const { pending, idp } = found;
    const session = await this.sessions.authenticated(req);
    if (!session || session.authTime < pending.createdAt) {
      throw new FlowError('login_required', `Sign in to your account in this browser first, then confirm the link to ${idp.displayName}.`);
    }
    if (session.sub !== pending.sub) {
      throw new FlowError('forbidden', `You are signed in to another account than the one with the email address of this ${idp.displayName} account.`);
    }
    const link = await inTransaction(this.dataSource, async (manager) => {
      // The provider's row first (the order UpstreamIdpsService.update locks in): a pending link
      // exists only for the current issuer, which this keeps from changing until the link is made.
      await this.idps.holdIssuer(manager, idp.id, idp.issuer);
      // Single use, even for two confirmations at once.
      const consumed = await manager.delete(UpstreamPendingLinkEntity, { keyHash: pending.keyHash });
      if (!consumed.affected) throw new FlowError('not_found', 'This account link was confirmed or cancelled already.');
      const row = await this.links.insert(manager, { idp, issuer: idp.issuer, upstreamSub: pending.upstreamSub, sub: pending.sub, email: pending.email });
      await this.outbox.add(manager, 'user.updated', { sub: pending.sub });
      return row;
    });
    clearUpstreamCookie(reply, PENDING_LINK_COOKIE, this.config.secureCookies);
    return { link, idp };
  }

  async cancel(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    const secret = cookieValue(req, PENDING_LINK_COOKIE);
    if (secret) await this.dataSource.manager.delete(UpstreamPendingLinkEntity, { keyHash: hashOf(secret) });
    clearUpstreamCookie(reply, PENDING_LINK_COOKIE, this.config.secureCookies);
  }

  async deleteOf(manager: EntityManager, sub: string): Promise<void> {
    await manager.delete(UpstreamPendingLinkEntity, { sub });
  }
}
