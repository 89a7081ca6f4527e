import { Inject, Injectable } from '@nestjs/common';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { ClientKeysError, ClientKeysService, jwsKid } from '../clients/client-keys.service';
import { InvalidClientError } from '@tessera/oauth-errors';
import type { Client } from '../clients/client';
import { ASSERTION_ALGS } from '../clients/client-metadata';
import { CLOCK, epochSeconds, type Clock } from '../clock';
import { TOKEN_SERVICE_CONFIG, type TokenServiceConfig } from '../config/token-service-config';
import { ReplayCache } from '../ports/replay-cache';
import { AUTHENTICATION_FAILED } from './client-authenticator';
import { ClientAuthMethod, type PresentedCredentials } from './client-auth-method';

/** An assertion may live this long at most: a longer one is a token, not a one-time proof. */
const MAX_ASSERTION_LIFETIME = 600;
const CLOCK_TOLERANCE = 30;

/**
 * RFC 7523 §2.2 / §3 and OIDC Core §9: a JWT signed with a key from the client's registered
 * JWKS, `iss` = `sub` = client_id, `aud` the issuer or the endpoint's URL, `exp` soon, and a
 * `jti` never seen before (replays are refused via the database-backed replay cache).
 */
@Injectable()
export class PrivateKeyJwtClientAuth extends ClientAuthMethod {
  readonly method = 'private_key_jwt' as const;

  constructor(
    private readonly replayCache: ReplayCache,
    private readonly clientKeys: ClientKeysService,
    @Inject(TOKEN_SERVICE_CONFIG) private readonly config: TokenServiceConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    super();
  }

  async verify(presented: PresentedCredentials, client: Client, endpointUrl: string) {
    if (!presented.assertion || (!client.jwks && !client.jwksUri)) {
      throw new InvalidClientError(AUTHENTICATION_FAILED, { detail: 'no assertion presented or no keys registered' });
    }
    const now = epochSeconds(this.clock);
    let payload;
    try {
      const keys = await this.clientKeys.keysOf(client, jwsKid(presented.assertion));
      ({ payload } = await jwtVerify(presented.assertion, createLocalJWKSet({ keys }), {
        issuer: client.clientId,
        subject: client.clientId,
        audience: [this.config.issuer, endpointUrl],
        algorithms: client.tokenEndpointAuthSigningAlg ? [client.tokenEndpointAuthSigningAlg] : ASSERTION_ALGS,
        requiredClaims: ['exp', 'jti'],
        currentDate: new Date(now * 1000),
        clockTolerance: CLOCK_TOLERANCE,
      }));
    } catch (err) {
      const why = err instanceof ClientKeysError ? 'keys unavailable' : 'client assertion rejected';
      throw new InvalidClientError(AUTHENTICATION_FAILED, { detail: `${why}: ${(err as Error).message}` });
    }
    const exp = payload.exp as number;
    if (exp - (payload.iat ?? now) > MAX_ASSERTION_LIFETIME || exp - now > MAX_ASSERTION_LIFETIME) {
      throw new InvalidClientError(AUTHENTICATION_FAILED, { detail: 'client assertion lives too long' });
    }
    const fresh = await this.replayCache.useOnce(`client_assertion:${client.clientId}:${payload.jti}`, exp + CLOCK_TOLERANCE);
    if (!fresh) throw new InvalidClientError(AUTHENTICATION_FAILED, { detail: 'client assertion jti replayed' });
  }
}
