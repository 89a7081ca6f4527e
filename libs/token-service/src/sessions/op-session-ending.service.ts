import { Inject, Injectable } from '@nestjs/common';
import { Outbox } from '@tessera/events';
import { ClientsService } from '../clients/clients.service';
import { CLOCK, epochSeconds, type Clock } from '../clock';
import { OpSessionStore, type EndedOpSession, type OpSession } from '../ports/op-session.store';
import { UnitOfWork, type Transaction } from '../ports/unit-of-work';

/**
 * The end of OP sessions, one lifecycle with the login session (ARCHITECTURE.md): an OP session
 * never outlives its login session. Ending them and queueing the back-channel logout notices
 * happen in one transaction, and a session already ended is never returned again, so each
 * client of a session is notified once however often the end is requested. Also the end of one
 * client's part in sessions that go on (an administrator revoked its access).
 */
@Injectable()
export class OpSessionEndingService {
  constructor(
    private readonly store: OpSessionStore,
    private readonly clients: ClientsService,
    private readonly uow: UnitOfWork,
    private readonly outbox: Outbox,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * Ends every live OP session on the login session and queues, in `tx`, one
   * `logout.backchannel.requested` per client of each that registered a backchannel_logout_uri.
   * The event carries the session's own `sub` and `sid` (as the OP session holds them, like
   * the ID token service's input): the logout token maps them to what the client knows
   * (pairwise subject, pairwise sid), as ID tokens do.
   */
  async endLoginSession(loginSessionId: string, tx: Transaction): Promise<EndedOpSession[]> {
    const ended = await this.store.endByLoginSession(loginSessionId, epochSeconds(this.clock), tx);
    for (const session of ended) {
      for (const clientId of session.clientIds) await this.notify(clientId, session, tx);
    }
    return ended;
  }

  /**
   * Signs the client out of every live OP session it was served on by `servedUpTo` (only the
   * sessions of `sub` when given): each is announced to the client by a back-channel logout
   * notice, as at a logout, and no longer lists the client, so that its eventual end does not
   * announce it again. The sessions go on for the other clients. Returns them.
   */
  async signClientOut(clientId: string, servedUpTo: number, tx: Transaction, sub?: string): Promise<Array<Pick<OpSession, 'sid' | 'sub'>>> {
    const sessions = await this.store.removeClient(clientId, servedUpTo, epochSeconds(this.clock), tx, sub);
    for (const session of sessions) await this.notify(clientId, session, tx);
    return sessions;
  }

  /** Queues a back-channel logout notice of the session's end, if the client takes them. */
  private async notify(clientId: string, session: Pick<OpSession, 'sid' | 'sub'>, tx: Transaction) {
    const client = await this.clients.find(clientId);
    // A client deleted since has nobody left to notify.
    if (client?.backchannelLogoutUri) {
      await this.outbox.add(tx, 'logout.backchannel.requested', { clientId, sub: session.sub, sid: session.sid });
    }
  }

  /**
   * RP-initiated logout: ends the browser's OP session and every other one on its login
   * session, and tells the authentication service (`session.ended`) to end the login session
   * too, all in one transaction. Nothing is emitted when another request ended them first.
   */
  logout(session: OpSession): Promise<EndedOpSession[]> {
    return this.uow.run(async (tx) => {
      const ended = await this.endLoginSession(session.loginSessionId, tx);
      if (ended.length > 0) await this.outbox.add(tx, 'session.ended', { sessionId: session.loginSessionId, sub: session.sub });
      return ended;
    });
  }
}
