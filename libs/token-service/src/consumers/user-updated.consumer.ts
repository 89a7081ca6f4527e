import { Injectable } from '@nestjs/common';
import { OnEvent, type EventOf } from '@tessera/events';
import { UserClaimsService } from '../claims/user-claims.service';

/**
 * `user.updated` reaches one replica through the queue; it tells all of them (broadcast) to
 * drop the user's cached claims, so the next ID token or UserInfo answer shows the change.
 */
@Injectable()
export class UserUpdatedConsumer {
  constructor(private readonly claims: UserClaimsService) {}

  @OnEvent('user.updated')
  async handle(payload: EventOf<'user.updated'>) {
    await this.claims.invalidate(payload.sub);
  }
}
