import { InvalidClientError, UnauthorizedClientError } from '@tessera/oauth-errors';
import type { Client } from './client';

// What a disabled client is told. Nothing new is issued to it, and its tokens are inactive while
// it stays disabled (TokenInspectorService): disabling suspends. Enabling it again restores the
// unexpired ones, so an administrator who wants them gone revokes them (revocation.requested).

/**
 * The token endpoint: `invalid_client`, as for a client that may not use its credentials any
 * more. Called only once the client authenticated, so a caller without its credentials gets the
 * usual authentication failure and learns nothing about the client.
 */
export function refuseDisabledAtTokenEndpoint(client: Client): void {
  if (client.disabled) throw new InvalidClientError('The client is disabled.', { status: 401, detail: `client ${client.clientId} is disabled` });
}

/**
 * The authorization endpoint (and PAR, which runs its checks): `unauthorized_client` on the
 * error page, never redirected. RFC 6749 §4.1.2.1: when the client identifier is invalid the
 * server informs the user and MUST NOT redirect; a disabled client is one the server no longer
 * acts for, and an administrator disables a client typically because it cannot be trusted, so
 * its redirect URI is not one to send the user to.
 */
export function refuseDisabledForAuthorization(client: Client): void {
  if (client.disabled) {
    throw new UnauthorizedClientError('This application has been disabled by an administrator and cannot be signed in to.', {
      allowRedirect: false,
      detail: `client ${client.clientId} is disabled`,
    });
  }
}
