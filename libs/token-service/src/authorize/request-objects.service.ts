import { Inject, Injectable } from '@nestjs/common';
import { OAuthError } from '@tessera/oauth-errors';
import { OutboundHttpError, type OutboundHttpClient } from '@tessera/runtime';
import { RequestObjectError, verifyRequestObject } from '@tessera/token-formats';
import type { JWK } from 'jose';
import { ClientKeysError, ClientKeysService, jwsKid } from '../clients/client-keys.service';
import type { Client } from '../clients/client';
import { ASSERTION_ALGS } from '../clients/client-metadata';
import { CLOCK, type Clock } from '../clock';
import { TOKEN_SERVICE_CONFIG, type TokenServiceConfig } from '../config/token-service-config';
import { OUTBOUND_HTTP } from '../token-service.tokens';

/** The JWT claims of a request object that are about the object, not authorization parameters. */
const JWT_CLAIMS = new Set(['iss', 'aud', 'exp', 'iat', 'nbf', 'jti']);
const MAX_REQUEST_OBJECT_BYTES = 64 * 1024;

/**
 * Request objects (RFC 9101, OpenID Connect Core §6): by value (`request`) or by reference
 * (`request_uri`), signed with one of the client's registered keys. Tessera verifies only
 * signed objects, and fetches only request URIs the client pre-registered (`request_uris`), so
 * an authorization request cannot make the server fetch an address of the requester's choice.
 */
@Injectable()
export class RequestObjectsService {
  constructor(
    @Inject(OUTBOUND_HTTP) private readonly http: OutboundHttpClient,
    private readonly clientKeys: ClientKeysService,
    @Inject(TOKEN_SERVICE_CONFIG) private readonly config: TokenServiceConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** The authorization parameters the object carries, each as a list of values. */
  async parameters(jwt: string, client: Client): Promise<Record<string, string[]>> {
    let keys: JWK[];
    try {
      keys = await this.clientKeys.keysOf(client, jwsKid(jwt));
    } catch (err) {
      if (err instanceof ClientKeysError) throw new OAuthError('invalid_request_object', "The client's jwks_uri could not be fetched.", { detail: err.message });
      throw err;
    }
    if (!keys.length) {
      throw new OAuthError('invalid_request_object', 'This client registered no public keys (jwks or jwks_uri), so its request objects cannot be verified.');
    }
    let payload: Record<string, unknown>;
    try {
      payload = await verifyRequestObject(jwt, {
        clientId: client.clientId,
        issuer: this.config.issuer,
        clientKeys: keys,
        allowedAlgs: client.requestObjectSigningAlg ? [client.requestObjectSigningAlg] : ASSERTION_ALGS,
        currentDate: new Date(this.clock()),
      });
    } catch (err) {
      if (err instanceof RequestObjectError) throw new OAuthError('invalid_request_object', err.message, { detail: err.reason });
      // A registered key that cannot be imported (jose refuses its parameters) is the client's
      // problem to fix, not a server error.
      throw new OAuthError('invalid_request_object', 'The request object could not be verified with the keys this client registered.', { detail: String(err) });
    }
    return toParameters(payload);
  }

  /** Fetches a pre-registered request_uri through the outbound client. */
  async fetch(requestUri: string, client: Client): Promise<string> {
    const withoutFragment = requestUri.split('#')[0];
    // OIDC Core §6.2: the fragment may vary (it versions the content); the rest must be registered.
    if (!client.requestUris.some((registered) => registered.split('#')[0] === withoutFragment)) {
      throw new OAuthError('invalid_request_uri', 'request_uri is not one of the request URIs this client registered (request_uris).');
    }
    try {
      const res = await this.http.get(withoutFragment, {
        headers: { accept: 'application/oauth-authz-req+jwt, application/jwt' },
        maxBodyBytes: MAX_REQUEST_OBJECT_BYTES,
      });
      if (res.status !== 200) throw new OAuthError('invalid_request_uri', `Fetching request_uri answered HTTP ${res.status}.`, { detail: `request_uri HTTP ${res.status}` });
      return res.text().trim();
    } catch (err) {
      // The reason stays in the log: an answer naming resolved addresses would map internal DNS.
      if (err instanceof OutboundHttpError) {
        throw new OAuthError('invalid_request_uri', 'request_uri could not be fetched (it must be a public https URL answering 200).', { detail: `${err.reason}: ${err.message}` });
      }
      throw err;
    }
  }
}

/** JSON members to authorization parameters: strings as they are, numbers as text, objects as JSON. */
export function toParameters(payload: Record<string, unknown>): Record<string, string[]> {
  const params: Record<string, string[]> = Object.create(null);
  for (const [name, value] of Object.entries(payload)) {
    if (JWT_CLAIMS.has(name) || value === null || value === undefined) continue;
    if (Array.isArray(value) && name === 'resource') params[name] = value.map(String);
    else if (typeof value === 'string') params[name] = [value];
    else if (typeof value === 'number' || typeof value === 'boolean') params[name] = [String(value)];
    else params[name] = [JSON.stringify(value)];
  }
  return params;
}
