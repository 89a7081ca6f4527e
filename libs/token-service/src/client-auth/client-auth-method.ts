import type { Client, TokenEndpointAuthMethod } from '../clients/client';

/** What the caller presented to authenticate, before the client is looked up. */
export interface PresentedCredentials {
  method: TokenEndpointAuthMethod;
  clientId: string;
  secret?: string;
  assertion?: string;
}

/** One client authentication method (RFC 6749 §2.3, RFC 7523 §2.2); one file each. */
export abstract class ClientAuthMethod {
  abstract readonly method: TokenEndpointAuthMethod;
  /** Throws InvalidClientError (with a private `detail`) when the credentials do not check out. */
  abstract verify(presented: PresentedCredentials, client: Client, endpointUrl: string): Promise<void>;
}

export const CLIENT_AUTH_METHODS = Symbol.for('tessera.client-auth-methods');
