import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, In, type EntityManager } from 'typeorm';
import { inTransaction, Outbox } from '@tessera/events';
import { AUTH_CLOCK, AUTH_SERVICE_DATA_SOURCE, nowSeconds, type Clock } from '../auth-service.tokens';
import { isUniqueViolation } from '@tessera/runtime';
import { FlowError } from '../http/flow-error';
import { UpstreamIdpEntity } from './entities/upstream-idp.entity';
import { UpstreamLinkEntity } from './entities/upstream-link.entity';
import { UpstreamIdpsService } from './upstream-idps.service';

export interface NewLink {
  idp: Pick<UpstreamIdpEntity, 'id' | 'displayName'>;
  /** The issuer that asserted `upstreamSub`: still the provider's when the link is made (links are per issuer). */
  issuer: string;
  upstreamSub: string;
  sub: string;
  email: string | null;
}

/** Links between local users and upstream accounts. */
@Injectable()
export class UpstreamLinksService {
  constructor(
    @Inject(AUTH_SERVICE_DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(AUTH_CLOCK) private readonly clock: Clock,
    private readonly idps: UpstreamIdpsService,
    private readonly outbox: Outbox,
  ) {}

  /** The link of an upstream account: how a returning person is recognised (never by email). */
  findBySubject(idpId: string, upstreamSub: string, tx?: EntityManager): Promise<UpstreamLinkEntity | null> {
    return (tx ?? this.dataSource.manager).findOneBy(UpstreamLinkEntity, { idpId, upstreamSub });
  }

  listOf(sub: string): Promise<UpstreamLinkEntity[]> {
    return this.dataSource.manager.find(UpstreamLinkEntity, { where: { sub }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  /** Links through providers that are enabled: the ones a person can sign in with. */
  async countUsable(sub: string): Promise<number> {
    const links = await this.listOf(sub);
    if (!links.length) return 0;
    const enabled = await this.dataSource.manager.countBy(UpstreamIdpEntity, { id: In(links.map((l) => l.idpId)), enabled: true });
    return enabled;
  }

  /**
   * Inserts a link inside the caller's transaction. Refused when the upstream account is
   * linked to someone already, the user has an account of this provider linked already, or the
   * provider's issuer changed since the upstream account signed in.
   */
  async insert(manager: EntityManager, link: NewLink): Promise<UpstreamLinkEntity> {
    await this.idps.holdIssuer(manager, link.idp.id, link.issuer);
    const existing = await this.findBySubject(link.idp.id, link.upstreamSub, manager);
    if (existing) {
      if (existing.sub === link.sub) return existing;
      throw new FlowError('conflict', `This ${link.idp.displayName} account is linked to another account already.`);
    }
    if (await manager.existsBy(UpstreamLinkEntity, { sub: link.sub, idpId: link.idp.id })) {
      throw new FlowError('conflict', `Your account is linked to another ${link.idp.displayName} account already; unlink it first.`);
    }
    const now = nowSeconds(this.clock);
    const row = Object.assign(new UpstreamLinkEntity(), {
      id: randomUUID(),
      idpId: link.idp.id,
      upstreamSub: link.upstreamSub,
      sub: link.sub,
      email: link.email,
      createdAt: now,
      lastUsedAt: now,
    });
    try {
      await manager.insert(UpstreamLinkEntity, row);
    } catch (err) {
      // Another request linked the same account at the same moment.
      if (isUniqueViolation(err)) throw new FlowError('conflict', `This ${link.idp.displayName} account was linked at the same moment; try again.`);
      throw err;
    }
    return row;
  }

  /** Links an upstream account to an existing user (`user.updated`: their sign-in methods changed). */
  link(link: NewLink): Promise<UpstreamLinkEntity> {
    return inTransaction(this.dataSource, async (manager) => {
      const row = await this.insert(manager, link);
      await this.outbox.add(manager, 'user.updated', { sub: link.sub });
      return row;
    });
  }

  async touch(link: UpstreamLinkEntity): Promise<void> {
    await this.dataSource.manager.update(UpstreamLinkEntity, { id: link.id }, { lastUsedAt: nowSeconds(this.clock) });
  }

  /** Deletes a link in the caller's transaction (the account API removes it through SignInMethods.removeUnlessLast). */
  async unlink(manager: EntityManager, sub: string, linkId: string): Promise<void> {
    const deleted = await manager.delete(UpstreamLinkEntity, { id: linkId, sub });
    if (!deleted.affected) throw new FlowError('not_found', 'No such linked account.');
    await this.outbox.add(manager, 'user.updated', { sub });
  }

  async deleteOf(manager: EntityManager, sub: string): Promise<void> {
    await manager.delete(UpstreamLinkEntity, { sub });
  }
}
