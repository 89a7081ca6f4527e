import { Inject, Injectable } from '@nestjs/common';
import { Outbox } from '@tessera/events';
import { InvalidRequestError, NotFoundError } from '@tessera/oauth-errors';
import { ClientsService } from '../clients/clients.service';
import { CLOCK, epochSeconds, type Clock } from '../clock';
import { GrantStore } from '../ports/grant.store';
import { UnitOfWork } from '../ports/unit-of-work';

/**
 * Users' grants, for the account pages ("apps you allowed") and admins. Revoking one commits
 * `grant.revoked` with the change; its consumer kills the grant's tokens.
 */
@Injectable()
export class GrantsService {
  constructor(
    private readonly grants: GrantStore,
    private readonly clients: ClientsService,
    private readonly uow: UnitOfWork,
    private readonly outbox: Outbox,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async listForUser(sub: string) {
    if (!sub) throw new InvalidRequestError('sub is required.');
    const grants = await this.grants.listActiveBySub(sub);
    return Promise.all(
      grants.map(async (g) => {
        const client = await this.clients.find(g.clientId);
        return {
          id: g.id,
          client_id: g.clientId,
          client_name: client?.clientName,
          logo_uri: client?.display['logo_uri'],
          scopes: g.scopes,
          remembered: g.remember,
          granted_at: g.createdAt,
          last_used_at: g.lastUsedAt,
        };
      }),
    );
  }

  async revoke(id: string, sub?: string) {
    const grant = await this.grants.find(id);
    // A user revoking through the account pages may only touch their own grants.
    if (!grant || grant.revokedAt !== undefined || (sub !== undefined && grant.sub !== sub)) {
      throw new NotFoundError('No such active grant.');
    }
    const at = epochSeconds(this.clock);
    await this.uow.run(async (tx) => {
      await this.grants.markRevoked(id, at, tx);
      await this.outbox.add(tx, 'grant.revoked', { grantId: id, sub: grant.sub, clientId: grant.clientId, revokedAt: new Date(at * 1000).toISOString() });
    });
  }
}
