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
 * - an upstream account whose email address belongs to a local account is NOT linked on that
 *   address alone, verified or not: see UpstreamPendingLinks for the proof asked first;
 * - otherwise a new local user is provisioned just in time from the mapped claims, together
 *   with its link, in one transaction (`user.created`).
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
    const profile = mapUpstreamClaims(idp, identity.claims);
    const email = upstreamEmail(identity);
    if (profile.email) {
      const owner = await this.users.findByEmail(profile.email);
      if (owner) {
        await this.pendingLinks.create(reply, { idpId: idp.id, upstreamSub: identity.sub, email: profile.email, sub: owner.sub });
        return { kind: 'link_required' };
      }
    }
    try {
      const user = await inTransaction(this.dataSource, async (manager) => {
        const created = await this.users.create({ email: profile.email, emailVerified: profile.emailVerified, claims: profile.claims }, manager);
        await this.links.insert(manager, { idp, upstreamSub: identity.sub, sub: created.sub, email: email ?? profile.email });
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
    return this.links.link({ idp, upstreamSub: identity.sub, sub, email: upstreamEmail(identity) });
  }

  private async linkedUser(idp: UpstreamIdpEntity, identity: UpstreamIdentity): Promise<UserEntity | null> {
    const link = await this.links.findBySubject(idp.id, identity.sub);
    if (!link) return null;
    const user = await this.users.require(link.sub);
    await this.links.touch(link);
    return user;
  }
}

/** The upstream account's address as the provider gave it (for the person to recognise the link), if it is one. */
function upstreamEmail(identity: UpstreamIdentity): string | null {
  const email = identity.claims['email'];
  return typeof email === 'string' && email.length <= 320 ? email : null;
}
