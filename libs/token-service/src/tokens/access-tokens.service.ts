import { ACCOUNT_SCOPE, accountApiResource } from '@tessera/scopes';
import { ADMIN_TOKEN_MAX_TTL, isAdminScope } from '../clients/admin-scopes';
import { Inject, Injectable } from '@nestjs/common';
import { InvalidTargetError } from '@tessera/oauth-errors';
import { buildAccessTokenClaims, generateReferenceToken, issueJwtAccessToken, randomId } from '@tessera/token-formats';
import type { AccessTokenFormat, Client } from '../clients/client';
import { CLOCK, epochSeconds, type Clock } from '../clock';
import { TOKEN_SERVICE_CONFIG, type TokenServiceConfig } from '../config/token-service-config';
import { SigningKeysService } from '../keys/signing-keys.service';
import { AccessTokenStore, type UserinfoClaimsRequest } from '../ports/access-token.store';
import { SubjectsService } from '../oidc/subjects.service';
import type { Transaction } from '../ports/unit-of-work';

export interface AccessTokenRequest {
  client: Client;
  sub: string;
  scope: string[];
  audience: string[];
  /** Set by a resource server registered with its own token format. */
  format?: AccessTokenFormat;
  grantId?: string;
  /** The refresh-token family (code redemption) the token belongs to, revoked together. */
  familyId?: string;
  /** OpenID Connect: the claims request UserInfo will honour for this token. */
  claims?: UserinfoClaimsRequest;
}

/** The private claim naming the grant of a pairwise client's JWT (random per user and client). */
export const GRANT_ID_CLAIM = 'tessera_grant_id';

export interface IssuedAccessToken {
  value: string;
  expiresIn: number;
  format: AccessTokenFormat;
  jti: string;
  expiresAt: number;
}

/**
 * Issues access tokens in the format the client (or the resource server) asks for: by
 * reference (random, stored only as its SHA-256) or by value (RFC 9068 JWT, nothing stored).
 */
@Injectable()
export class AccessTokensService {
  constructor(
    private readonly store: AccessTokenStore,
    private readonly keys: SigningKeysService,
    private readonly subjects: SubjectsService,
    @Inject(TOKEN_SERVICE_CONFIG) private readonly config: TokenServiceConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async issue(input: AccessTokenRequest, tx?: Transaction): Promise<IssuedAccessToken> {
    // The account scope is the account API's own: a token asked for with it and addressed to no
    // API is addressed to that one (libs/resource-server there checks `aud`).
    const request =
      input.audience.length === 0 && input.scope.includes(ACCOUNT_SCOPE) ? { ...input, audience: [accountApiResource(this.config.issuer)] } : input;
    const { client } = request;
    const now = epochSeconds(this.clock);
    const ttl = request.scope.some(isAdminScope) ? Math.min(client.accessTokenTtl, ADMIN_TOKEN_MAX_TTL) : client.accessTokenTtl;
    const format = request.format ?? client.accessTokenFormat;
    const jti = randomId();
    if (format === 'jwt') {
      if (!request.audience.length) {
        throw new InvalidTargetError(
          'A JWT access token needs an audience: name the API with the resource parameter, or give the client a default audience.',
        );
      }
      const signer = await this.keys.signer(client.accessTokenSigningAlg);
      // A pairwise client (OIDC Core §8) must not read the user's own id from its JWTs: they carry
      // the subject it knows, and the grant's id, by which this server finds the user again.
      const pairwise = client.subjectType === 'pairwise' && request.grantId !== undefined;
      const claims = buildAccessTokenClaims({
        issuer: this.config.issuer,
        subject: pairwise ? this.subjects.forClient(client, request.sub) : request.sub,
        ...(pairwise ? { extra: { [GRANT_ID_CLAIM]: request.grantId } } : {}),
        clientId: client.clientId,
        audience: request.audience,
        scope: request.scope.join(' '),
        ttlSeconds: ttl,
        now,
        jti,
      });
      return { value: issueJwtAccessToken(signer, claims), expiresIn: ttl, format, jti, expiresAt: now + ttl };
    }
    const token = generateReferenceToken('access_token');
    await this.store.insert(
      {
        storageKey: token.storageKey,
        jti,
        clientId: client.clientId,
        sub: request.sub,
        scope: request.scope.join(' '),
        audience: request.audience,
        grantId: request.grantId,
        familyId: request.familyId,
        claims: request.claims,
        issuedAt: now,
        expiresAt: now + ttl,
      },
      tx,
    );
    return { value: token.value, expiresIn: ttl, format, jti, expiresAt: now + ttl };
  }
}
