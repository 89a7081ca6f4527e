import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { inTransaction, Outbox, type EventOf } from '@tessera/events';
import { ADMIN_API_DATA_SOURCE, ADMIN_CLOCK, type Clock } from '../admin-api.tokens';
import type { Actor } from '../auth/admin.guard';
import { AuditLog } from '../audit/audit-log';
import { RevocationEntity } from '../database/entities/revocation.entity';
import { Problem } from '../http/problem';

export interface RevocationView {
  id: string;
  client_id: string;
  sub?: string;
  disable_client: boolean;
  status: 'pending' | 'completed';
  requested_by: string;
  requested_at: string;
  completed_at?: string;
  grants?: number;
  sessions?: number;
}

/**
 * "Revoke access": recorded here and sent as `revocation.requested` in one transaction, so that
 * it reaches the token service however long the queue is away; the token service answers with
 * `revocation.completed`, which sets the status a caller reads.
 */
@Injectable()
export class RevocationsService {
  constructor(
    @Inject(ADMIN_API_DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(ADMIN_CLOCK) private readonly clock: Clock,
    private readonly outbox: Outbox,
    private readonly audit: AuditLog,
  ) {}

  async request(actor: Actor, input: { clientId: string; sub?: string; disableClient: boolean }): Promise<RevocationView> {
    if (input.sub !== undefined && input.disableClient) throw Problem.badRequest('disable_client applies to a revocation of the whole client, not of one user.');
    const now = this.clock();
    const revocation = Object.assign(new RevocationEntity(), {
      id: randomUUID(),
      clientId: input.clientId,
      sub: input.sub ?? null,
      disableClient: input.disableClient,
      status: 'pending' as const,
      requestedBy: `${actor.type}:${actor.id}`,
      requestedAt: now,
      completedAt: null,
      grants: null,
      sessions: null,
    });
    await inTransaction(this.dataSource, async (tx) => {
      await tx.insert(RevocationEntity, revocation);
      await this.outbox.add(tx, 'revocation.requested', {
        revocationId: revocation.id,
        clientId: input.clientId,
        ...(input.sub !== undefined ? { sub: input.sub } : {}),
        disableClient: input.disableClient,
        requestedAt: new Date(now).toISOString(),
      });
      await this.audit.record(
        {
          type: input.sub === undefined ? 'admin.client.access_revoked' : 'admin.user.client_access_revoked',
          actor: { type: actor.type, id: actor.id },
          clientId: input.clientId,
          subject: input.sub,
          ip: actor.ip,
          details: { revocation_id: revocation.id, disable_client: input.disableClient },
        },
        tx,
      );
    });
    return view(revocation);
  }

  async get(id: string): Promise<RevocationView> {
    const found = /^[0-9a-f-]{36}$/.test(id) ? await this.dataSource.manager.findOneBy(RevocationEntity, { id }) : null;
    if (!found) throw Problem.notFound('No such revocation.');
    return view(found);
  }

  /** The token service's answer; the first one counts (a redelivered or repeated answer changes nothing). */
  async completed(answer: EventOf<'revocation.completed'>, tx: EntityManager): Promise<void> {
    await tx.update(
      RevocationEntity,
      { id: answer.revocationId, status: 'pending' },
      { status: 'completed', completedAt: Date.parse(answer.completedAt), grants: answer.grants, sessions: answer.sessions },
    );
  }
}

function view(r: RevocationEntity): RevocationView {
  return {
    id: r.id,
    client_id: r.clientId,
    ...(r.sub ? { sub: r.sub } : {}),
    disable_client: r.disableClient,
    status: r.status,
    requested_by: r.requestedBy,
    requested_at: new Date(r.requestedAt).toISOString(),
    ...(r.completedAt !== null ? { completed_at: new Date(r.completedAt).toISOString() } : {}),
    ...(r.grants !== null ? { grants: r.grants } : {}),
    ...(r.sessions !== null ? { sessions: r.sessions } : {}),
  };
}
