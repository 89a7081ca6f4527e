import { InvalidClientError } from '@tessera/oauth-errors';
import { verifySecret } from '@tessera/token-formats';
import type { Client } from '../clients/client';
import { AUTHENTICATION_FAILED } from './client-authenticator';
import type { PresentedCredentials } from './client-auth-method';

/** Shared by client_secret_basic and client_secret_post: a fast constant-time hash compare. */
export function verifyClientSecret(presented: PresentedCredentials, client: Client, now: number): void {
  if (!presented.secret || !client.secretHash) {
    throw new InvalidClientError(AUTHENTICATION_FAILED, { detail: 'no secret presented or registered' });
  }
  if (client.secretExpiresAt && client.secretExpiresAt < now) {
    throw new InvalidClientError(AUTHENTICATION_FAILED, { detail: 'client secret expired' });
  }
  if (!verifySecret(presented.secret, client.secretHash)) {
    throw new InvalidClientError(AUTHENTICATION_FAILED, { detail: 'client secret mismatch' });
  }
}
