import { Inject, Injectable } from '@nestjs/common';
import { Outbox, type EventOf } from '@tessera/events';
import { ClientsService } from '../clients/clients.service';
import { CLOCK, epochSeconds, type Clock } from '../clock';
import { AccessRevocationStore, type AccessRevocation } from '../ports/access-revocation.store';
import { GrantStore } from '../ports/grant.store';
import type { Transaction } from '../ports/unit-of-work';
import { OpSessionEndingService } from '../sessions/op-session-ending.service';
import { TokenFamiliesService } from '../tokens/token-families.service';

export type AccessRevocationRequest = EventOf<'revocation.requested'>;
export type AccessRevocationOutcome = EventOf<'revocation.completed'>;

/**
 * An administrator's revocation of a client's access (`revocation.requested`): every user's, or
 * one user's (`sub`). All of it happens in the caller's transaction, with the events that tell
 * the rest of the platform, and ends with `revocation.completed`.
 *
 * What it ends is what existed when the administrator asked (`requestedAt`), never what came
 * after: a request delivered late leaves alone the tokens, grants and sign-ins issued since.
 *
 * - Client-wide: the client's `revoked_before` moves to `requestedAt` (every token issued to it
 *   by then is inactive, and `client.revoked` has them deleted), every live grant of the client
 *   is revoked (the next authorization asks for consent again), and `disableClient` turns the
 *   client off.
 * - One user: only that user's grants with the client, each with its refresh and reference
 *   tokens (and the JWTs recorded with them) at once, and `grant.revoked` per grant. A per-user
 *   revocation never disables the client: one user's revocation does not cut off the others.
 * - Either way the client is signed out of every live OP session it was served on (all users',
 *   or the user's): a back-channel logout notice per session, and the session no longer lists
 *   the client. The sessions themselves go on: the user is still signed in to other apps.
 *
 * Idempotent by `revocationId`, whether the same event arrives twice or the admin API sends the
 * request again as a new event: the first delivery records the revocation, and a later one
 * revokes nothing and emits `revocation.completed` again with the first delivery's counts and
 * instant, so that every answer to the same request is the same (the admin API keeps the first).
 * A client re-enabled after the first delivery therefore stays enabled.
 */
@Injectable()
export class AccessRevocationService {
  constructor(
    private readonly revocations: AccessRevocationStore,
    private readonly grants: GrantStore,
    private readonly clients: ClientsService,
    private readonly families: TokenFamiliesService,
    private readonly sessions: OpSessionEndingService,
    private readonly outbox: Outbox,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async carryOut(request: AccessRevocationRequest, tx: Transaction): Promise<AccessRevocationOutcome> {
    const { revocationId, clientId, sub } = request;
    const requestedAt = Math.floor(Date.parse(request.requestedAt) / 1000);
    const claimed: AccessRevocation = { revocationId, clientId, sub, requestedAt, grants: 0, sessions: 0, completedAt: epochSeconds(this.clock) };
    if (!(await this.revocations.claim(claimed, tx))) {
      const first = await this.revocations.find(revocationId, tx);
      return this.complete(first ?? claimed, tx);
    }

    const grants = await this.grants.revokeByClient(clientId, requestedAt, tx, sub);
    if (sub === undefined) {
      await this.clients.revokeIssuedUpTo(clientId, requestedAt, { disable: request.disableClient }, tx);
    } else {
      for (const grant of grants) {
        await this.families.revokeGrant(grant.id, tx);
        await this.outbox.add(tx, 'grant.revoked', { grantId: grant.id, sub: grant.sub, clientId, revokedAt: request.requestedAt });
      }
    }
    const sessions = await this.sessions.signClientOut(clientId, requestedAt, tx, sub);

    const outcome = { grants: grants.length, sessions: sessions.length };
    await this.revocations.recordOutcome(revocationId, outcome, tx);
    return this.complete({ ...claimed, ...outcome }, tx);
  }

  private async complete(revocation: AccessRevocation, tx: Transaction): Promise<AccessRevocationOutcome> {
    const outcome: AccessRevocationOutcome = {
      revocationId: revocation.revocationId,
      clientId: revocation.clientId,
      ...(revocation.sub === undefined ? {} : { sub: revocation.sub }),
      grants: revocation.grants,
      sessions: revocation.sessions,
      completedAt: new Date(revocation.completedAt * 1000).toISOString(),
    };
    await this.outbox.add(tx, 'revocation.completed', outcome);
    return outcome;
  }
}
