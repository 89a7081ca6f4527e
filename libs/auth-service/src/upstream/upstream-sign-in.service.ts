import { Inject, Injectable } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { DataSource } from 'typeorm';
import { inTransaction } from '@tessera/events';
import { AUTH_SERVICE_DATA_SOURCE } from '../auth-service.tokens';
import type { UserEntity } from '../database/entities/user.entity';
import { FlowError } from '../http/flow-error';
import { UsersService } from '../users/users.service';
import { mapUpstreamClaims } from './claim-mapping';
import type { UpstreamIdpEntity } from './entities/upstream-idp.entity';
import type { UpstreamLinkEntity } from './entities/upstream-link.entity';
import type { UpstreamIdentity } from './upstream-oidc-client';
import { UpstreamLinksService } from './upstream-links.service';
import { UpstreamPendingLinks } from './upstream-pending-links';

/** Who an upstream sign-in is: a local user, or someone who must first prove they own one. */
export type UpstreamSignIn = { kind: 'user'; user: UserEntity; created: boolean } | { kind: 'link_required' };

/**
 * Turns a verified upstream identity into a local user:
 * - an upstream account linked before signs in as its user (the link is by the provider's
 *   `sub`, which OIDC Core §2 makes stable and unique per provider);
 * - the upstream email address is used only when it is verified by a provider trusted to say so
 *   (see mapUpstreamClaims); any other address is neither stored nor looked up, so a sign-in
 *   neither squats an address (pre-account hijacking) nor tells whether it has a local account;
 * - an upstream account whose (verified) address belongs to a local account is NOT linked on
 *   that address alone: see UpstreamPendingLinks for the proof asked first;
 * - otherwise a new local user is provisioned just in time from the mapped claims (without an
 *   email address when there is no verified one), together with its link, in one transaction
 *   (`user.created`).
 */
@Injectable()
export class UpstreamSignInService {
  constructor(
    @Inject(AUTH_SERVICE_DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly users: UsersService,
    private readonly links: UpstreamLinksService,
    private readonly pendingLinks: UpstreamPendingLinks,
  ) {}

  async signIn(reply: FastifyReply, idp: UpstreamIdpEntity, identity: UpstreamIdentity): Promise<UpstreamSignIn> {
    const linked = await this.linkedUser(idp, identity);
    if (linked) return { kind: 'user', user: linked, created: false };
    const { verifiedEmail, claims } = mapUpstreamClaims(idp, identity.claims);
    if (verifiedEmail) {
      const owner = await this.users.findByEmail(verifiedEmail);
      if (owner) {
        await this.pendingLinks.create(reply, { idp, issuer: identity.issuer, upstreamSub: identity.sub, email: verifiedEmail, sub: owner.sub });
        return { kind: 'link_required' };
      }
    }
    try {
      const user = await inTransaction(this.dataSource, async (manager) => {
        const created = await this.users.create({ email: verifiedEmail, emailVerified: verifiedEmail !== null, claims }, manager);
        await this.links.insert(manager, { idp, issuer: identity.issuer, upstreamSub: identity.sub, sub: created.sub, email: verifiedEmail });
        return created;
      });
      return { kind: 'user', user, created: true };
    } catch (err) {
      // The same upstream account's first sign-in in two tabs at once: the other one provisioned it.
      const raced = err instanceof FlowError && err.code === 'conflict' ? await this.linkedUser(idp, identity) : null;
      if (raced) return { kind: 'user', user: raced, created: false };
      throw err;
    }
  }

  /** Links the upstream account to the user who started the link from their account. */
  linkToAccount(sub: string, idp: UpstreamIdpEntity, identity: UpstreamIdentity): Promise<UpstreamLinkEntity> {
    // The address only labels the link for its owner, and is kept only when it is verified all the same.
    return this.links.link({ idp, issuer: identity.issuer, upstreamSub: identity.sub, sub, email: mapUpstreamClaims(idp, identity.claims).verifiedEmail });
  }

  private async linkedUser(idp: UpstreamIdpEntity, identity: UpstreamIdentity): Promise<UserEntity | null> {
    const link = await this.links.findBySubject(idp.id, identity.sub);
    if (!link) return null;
    const user = await this.users.require(link.sub);
    await this.links.touch(link);
    return user;
  }
}
