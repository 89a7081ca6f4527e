import { Inject, Injectable } from '@nestjs/common';
import { InvalidGrantError } from '@tessera/oauth-errors';
import { claimsRequestedNames, releaseClaims, type ClaimsRequest, type ScopeRegistry } from '@tessera/scopes';
import { buildIdTokenClaims, issueIdToken } from '@tessera/token-formats';
import type { Client } from '../clients/client';
import { CLOCK, epochSeconds, type Clock } from '../clock';
import { TOKEN_SERVICE_CONFIG, type TokenServiceConfig } from '../config/token-service-config';
import { UserClaimsService } from '../claims/user-claims.service';
import { SigningKeysService } from '../keys/signing-keys.service';
import { SCOPE_REGISTRY } from '../token-service.tokens';
import { SubjectsService } from './subjects.service';

/** ID tokens live as long as a login round trip needs; they are read once by the client. */
export const ID_TOKEN_TTL = 600;

export interface IdTokenRequest {
  client: Client;
  /** The user's own id; the token carries the subject the client knows (public or pairwise). */
  sub: string;
  scope: readonly string[];
  claims?: ClaimsRequest;
  claimsLocales?: readonly string[];
  nonce?: string;
  authTime: number;
  acr?: string;
  amr?: readonly string[];
  sid?: string;
  /** Issued alongside: the ID token carries at_hash (OIDC Core §3.1.3.6, §3.3.2.11). */
  accessToken?: string;
  /** Issued alongside from the authorization endpoint: c_hash (§3.3.2.11). */
  code?: string;
  /** response_type=id_token: no access token, so the scopes' claims go in the ID token (§5.4). */
  scopeClaimsInIdToken?: boolean;
}

/**
 * ID tokens (OpenID Connect Core §2): signed with the client's registered algorithm (RS256 by
 * default), about the subject the client knows, with the user claims the grant releases to
 * the ID token.
 */
@Injectable()
export class IdTokensService {
  constructor(
    private readonly keys: SigningKeysService,
    private readonly subjects: SubjectsService,
    private readonly userClaims: UserClaimsService,
    @Inject(SCOPE_REGISTRY) private readonly registry: ScopeRegistry,
    @Inject(TOKEN_SERVICE_CONFIG) private readonly config: TokenServiceConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async issue(request: IdTokenRequest): Promise<string> {
    return (await this.prepare(request))({ accessToken: request.accessToken, code: request.code });
  }

  /**
   * Does the ID token's I/O (signing key, the user's claims) and returns the signing step,
   * synchronous and unable to fail on a lookup: a grant that consumes a code or a refresh token
   * prepares first, so that a user directory outage refuses the request before anything is
   * spent rather than after.
   */
  async prepare(request: Omit<IdTokenRequest, 'accessToken' | 'code'>): Promise<(bound: { accessToken?: string; code?: string }) => string> {
    const { client } = request;
    const signer = await this.keys.signer(client.idTokenSignedResponseAlg);
    const extraClaims = await this.releasedClaims(request);
    const sub = this.subjects.forClient(client, request.sub);
    return ({ accessToken, code }) =>
      issueIdToken(
        signer,
        buildIdTokenClaims({
          issuer: this.config.issuer,
          sub,
          audience: client.clientId,
          issuedAt: epochSeconds(this.clock),
          expiresIn: ID_TOKEN_TTL,
          // Always present: §2 makes it required with max_age or require_auth_time and allows it otherwise.
          authTime: request.authTime,
          nonce: request.nonce,
          acr: request.acr,
          amr: request.amr?.length ? request.amr : undefined,
          sid: request.sid === undefined ? undefined : this.subjects.sessionIdForClient(client, request.sid),
          accessToken,
          code,
          alg: signer.alg,
          extraClaims,
        }),
      );
  }

  private async releasedClaims(request: Omit<IdTokenRequest, 'accessToken' | 'code'>): Promise<Record<string, unknown> | undefined> {
    const named = request.claims ? claimsRequestedNames(request.claims, 'id_token') : [];
    const scopeClaims = request.scopeClaimsInIdToken ? this.registry.claimsForScopes(request.scope) : new Set<string>();
    scopeClaims.delete('sub');
    // Most ID tokens carry no profile claims: then the user directory is not asked at all.
    if (!named.some((n) => n !== 'sub') && scopeClaims.size === 0) return undefined;
    const profile = await this.userClaims.claimsOf(request.sub);
    if (!profile) throw new InvalidGrantError('The user of this grant no longer exists.', { detail: `no claims for ${request.sub}` });
    return releaseClaims({
      target: 'id_token',
      profile,
      grantedScopes: request.scope,
      claimsRequest: request.claims,
      // The claims named in the request were shown at consent (or are covered by the scopes).
      grantedClaims: named,
      scopeClaimsInIdToken: request.scopeClaimsInIdToken === true,
      claimsLocales: request.claimsLocales,
      registry: this.registry,
    });
  }
}
