import { Inject, Injectable } from '@nestjs/common';
import type { Client } from '../clients/client';
import { CLOCK, epochSeconds, type Clock } from '../clock';
import { ClientAuthMethod, type PresentedCredentials } from './client-auth-method';
import { verifyClientSecret } from './client-secret';

@Injectable()
export class ClientSecretPostClientAuth extends ClientAuthMethod {
  readonly method = 'client_secret_post' as const;
  constructor(@Inject(CLOCK) private readonly clock: Clock) {
    super();
  }
  async verify(presented: PresentedCredentials, client: Client) {
    verifyClientSecret(presented, client, epochSeconds(this.clock));
  }
}
