import { Injectable } from '@nestjs/common';
import { OnEvent, type EventEnvelope, type EventOf } from '@tessera/events';
import { BackchannelLogoutService } from '../logout/backchannel-logout.service';

/**
 * `logout.backchannel.requested`: one logout token POSTed to the client's
 * backchannel_logout_uri. Outside the dispatcher's transaction: the POST waits on the client,
 * which no transaction may do, and each failed attempt is recorded before it throws for the
 * queue's retry. Idempotent by event id (the processed mark, and the delivery's own row).
 */
@Injectable()
export class BackchannelLogoutConsumer {
  constructor(private readonly backchannel: BackchannelLogoutService) {}

  @OnEvent('logout.backchannel.requested', { transactional: false })
  async handle(payload: EventOf<'logout.backchannel.requested'>, envelope: EventEnvelope<'logout.backchannel.requested'>) {
    await this.backchannel.deliver(envelope.id, payload);
  }
}
