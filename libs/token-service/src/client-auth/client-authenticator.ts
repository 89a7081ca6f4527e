import { Inject, Injectable } from '@nestjs/common';
import { InvalidClientError, InvalidRequestError } from '@tessera/oauth-errors';
import type { Client } from '../clients/client';
import { ClientsService } from '../clients/clients.service';
import type { RequestParams } from '../http/form';
import { CLIENT_AUTH_METHODS, ClientAuthMethod, type PresentedCredentials } from './client-auth-method';

/** The one public sentence for every client authentication failure; the reason goes to `detail`. */
export const AUTHENTICATION_FAILED =
  'Client authentication failed (unknown client, wrong credentials, or an authentication method the client is not registered for).';

export const JWT_BEARER_ASSERTION = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** The client-authentication parameters every authenticating endpoint accepts. */
export const CLIENT_AUTH_PARAMS = ['client_id', 'client_secret', 'client_assertion', 'client_assertion_type'] as const;

/**
 * Works out which single method the caller used (RFC 6749 §2.3: never more than one), finds the
 * client, insists the method is the one it registered, then lets that method verify.
 */
@Injectable()
export class ClientAuthenticator {
  private readonly methods: Map<string, ClientAuthMethod>;

  constructor(
    private readonly clients: ClientsService,
    @Inject(CLIENT_AUTH_METHODS) methods: ClientAuthMethod[],
  ) {
    this.methods = new Map();
    for (const m of methods) {
      if (this.methods.has(m.method)) throw new Error(`Two client authentication methods named ${m.method}`);
      this.methods.set(m.method, m);
    }
  }

  get supportedMethods(): string[] {
    return [...this.methods.keys()];
  }

  async authenticate(params: RequestParams, authorization: string | undefined, endpointUrl: string): Promise<Client> {
    const presented = presentedCredentials(params, authorization);
    const basic = presented.method === 'client_secret_basic';
    const fail = (detail: string) => new InvalidClientError(AUTHENTICATION_FAILED, { detail, status: 401 });
    const client = await this.clients.find(presented.clientId);
    if (!client) throw withChallenge(fail(`unknown client ${presented.clientId}`), basic);
    if (client.tokenEndpointAuthMethod !== presented.method) {
      throw withChallenge(fail(`client registered for ${client.tokenEndpointAuthMethod}, presented ${presented.method}`), basic);
    }
    const method = this.methods.get(presented.method);
    if (!method) throw withChallenge(fail(`method ${presented.method} not enabled`), basic);
    try {
      await method.verify(presented, client, endpointUrl);
    } catch (err) {
      throw withChallenge(err as Error, basic);
    }
    return client;
  }
}

/** RFC 6749 §5.2: a failed Basic authentication answers 401 with a WWW-Authenticate challenge. */
export interface ChallengeCarrier {
  wwwAuthenticate?: string;
}
function withChallenge<E extends Error>(err: E, basic: boolean): E {
  if (basic) (err as E & ChallengeCarrier).wwwAuthenticate = 'Basic realm="tessera", charset="UTF-8"';
  return err;
}

export function presentedCredentials(params: RequestParams, authorization: string | undefined): PresentedCredentials {
  const { client_id, client_secret, client_assertion, client_assertion_type } = params.one;
  const found: PresentedCredentials[] = [];

  if (authorization !== undefined) {
    const [scheme, value] = authorization.split(' ', 2);
    if (scheme?.toLowerCase() !== 'basic' || !value) {
      throw new InvalidRequestError('The Authorization header must use the Basic scheme for client authentication.');
    }
    const basic = decodeBasic(value);
    if (client_id !== undefined && client_id !== basic.clientId) {
      throw new InvalidRequestError('client_id in the body does not match the Basic credentials.');
    }
    found.push({ method: 'client_secret_basic', clientId: basic.clientId, secret: basic.secret });
  }
  if (client_secret !== undefined) {
    if (!client_id) throw new InvalidRequestError('client_secret was sent without client_id.');
    found.push({ method: 'client_secret_post', clientId: client_id, secret: client_secret });
  }
  if (client_assertion !== undefined || client_assertion_type !== undefined) {
    if (client_assertion_type !== JWT_BEARER_ASSERTION) {
      throw new InvalidRequestError(`client_assertion_type must be ${JWT_BEARER_ASSERTION}.`);
    }
    if (!client_assertion) throw new InvalidRequestError('client_assertion is missing.');
    const sub = assertionSubject(client_assertion);
    if (client_id !== undefined && client_id !== sub) {
      throw new InvalidRequestError('client_id does not match the client assertion\'s subject.');
    }
    found.push({ method: 'private_key_jwt', clientId: sub, assertion: client_assertion });
  }
  if (found.length > 1) {
    throw new InvalidRequestError('Use exactly one client authentication method per request (RFC 6749 §2.3).');
  }
  if (found.length === 1) return found[0];
  if (!client_id) {
    throw new InvalidClientError('Client authentication is required: send client credentials or, for a public client, client_id.', {
      status: 401,
      detail: 'no client credentials',
    });
  }
  return { method: 'none', clientId: client_id };
}

function decodeBasic(value: string): { clientId: string; secret: string } {
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 1 || !/^[A-Za-z0-9+/]+={0,2}$/.test(value)) throw new InvalidRequestError('Malformed Basic credentials.');
  try {
    // RFC 6749 §2.3.1: both parts are form-urlencoded before being joined and base64-encoded.
    const formDecode = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));
    return { clientId: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) };
  } catch {
    throw new InvalidRequestError('Malformed Basic credentials.');
  }
}

/** The assertion's `sub` (read unverified only to find the client; verification comes later). */
function assertionSubject(assertion: string): string {
  try {
    const payload = JSON.parse(Buffer.from(assertion.split('.')[1] ?? '', 'base64url').toString('utf8'));
    if (typeof payload.sub === 'string' && payload.sub) return payload.sub;
  } catch {
    // fall through
  }
  throw new InvalidClientError(AUTHENTICATION_FAILED, { status: 401, detail: 'client assertion is not a JWT with a sub' });
}
