import { Injectable } from '@nestjs/common';
import { ClientAuthMethod } from './client-auth-method';

/** Public clients identify themselves with client_id alone (they hold no secret). */
@Injectable()
export class NoneClientAuth extends ClientAuthMethod {
  readonly method = 'none' as const;
  async verify() {
    // Nothing to verify: the method itself was matched against the registration.
  }
}
