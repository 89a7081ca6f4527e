import { Injectable } from '@nestjs/common';
import { InvalidRequestError } from '@tessera/oauth-errors';
import { ClientsService } from '../../clients/clients.service';
import { refuseDisabledForAuthorization } from '../../clients/disabled-client';
import type { AuthorizeContext, AuthorizeStep } from '../authorize-context';

/**
 * client_id names a registered client that is not disabled; without one no redirect can be
 * trusted (error page).
 */
@Injectable()
export class CheckClientStep implements AuthorizeStep {
  readonly name = 'client';
  constructor(private readonly clients: ClientsService) {}

  async run(ctx: AuthorizeContext) {
    const values = ctx.raw['client_id'] ?? [];
    if (values.length !== 1 || !values[0]) throw new InvalidRequestError('client_id is missing or repeated.');
    const client = await this.clients.find(values[0]);
    if (!client) throw new InvalidRequestError('client_id does not name a registered client.');
    refuseDisabledForAuthorization(client);
    ctx.client = client;
    ctx.request.clientId = client.clientId;
  }
}
