import { Inject, Injectable } from '@nestjs/common';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import { storageKey, TOKEN_PREFIXES } from '@tessera/token-formats';
import { ClientsService } from '../clients/clients.service';
import { CLOCK, epochSeconds, type Clock } from '../clock';
import { TOKEN_SERVICE_CONFIG, type TokenServiceConfig } from '../config/token-service-config';
import { SigningKeysService } from '../keys/signing-keys.service';
import { AccessTokenStore, RevokedTokenStore, type UserinfoClaimsRequest } from '../ports/access-token.store';
import { GrantStore } from '../ports/grant.store';
import { RefreshTokenStore, type RefreshToken } from '../ports/refresh-token.store';
import { GRANT_ID_CLAIM } from './access-tokens.service';

/** An access token found active, whatever its format. */
export interface ActiveAccessToken {
  format: 'reference' | 'jwt';
  jti: string;
  clientId: string;
  sub: string;
  scope: string;
  audience: string[];
  issuedAt: number;
  expiresAt: number;
  /** The reference token's storage key (to revoke it). */
  storageKey?: string;
  /** The grant a user's token was issued under (reference tokens; JWTs do not carry it). */
  grantId?: string;
  /** The claims request UserInfo honours (reference tokens from an OpenID Connect authorization). */
  claims?: UserinfoClaimsRequest;
}

const REFERENCE_PREFIX = TOKEN_PREFIXES.access_token;
export const REFRESH_TOKEN_PREFIX = TOKEN_PREFIXES.refresh_token;

/**
 * Decides whether an access token is active: known (reference) or validly signed by us (JWT),
 * unexpired, not revoked, its client still existing, not disabled and not revoked since the
 * token was issued, and its grant not revoked since then.
 */
@Injectable()
export class TokenInspectorService {
  constructor(
    private readonly store: AccessTokenStore,
    private readonly revoked: RevokedTokenStore,
    private readonly grants: GrantStore,
    private readonly refreshTokens: RefreshTokenStore,
    private readonly clients: ClientsService,
    private readonly keys: SigningKeysService,
    @Inject(TOKEN_SERVICE_CONFIG) private readonly config: TokenServiceConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async inspect(token: string): Promise<ActiveAccessToken | undefined> {
    const now = epochSeconds(this.clock);
    const found = token.startsWith(REFERENCE_PREFIX) ? await this.reference(token) : await this.jwt(token, now);
    if (!found || found.expiresAt <= now) return undefined;
    const client = await this.clients.find(found.clientId);
    if (!client || client.disabled) return undefined;
    if (client.revokedBefore !== undefined && found.issuedAt <= client.revokedBefore) return undefined;
    if (found.format === 'jwt') {
      if (await this.revoked.isRevoked(found.jti)) return undefined;
      if (found.sub !== found.clientId) {
        const revokedAt = await this.grants.lastRevocation(found.sub, found.clientId);
        if (revokedAt !== undefined && found.issuedAt <= revokedAt) return undefined;
      }
    }
    return found;
  }

  /**
   * A refresh token that would be accepted at the token endpoint now: known, neither rotated
   * out nor revoked, unexpired, its client existing, not disabled and not revoked since, its
   * grant live.
   */
  async inspectRefreshToken(token: string): Promise<RefreshToken | undefined> {
    if (!token.startsWith(REFRESH_TOKEN_PREFIX)) return undefined;
    const now = epochSeconds(this.clock);
    const found = await this.refreshTokens.find(storageKey(token));
    if (!found || found.consumedAt !== undefined || found.revokedAt !== undefined || found.expiresAt <= now) return undefined;
    const client = await this.clients.find(found.clientId);
    if (!client || client.disabled) return undefined;
    if (client.revokedBefore !== undefined && found.issuedAt <= client.revokedBefore) return undefined;
    if (found.grantId !== undefined) {
      const grant = await this.grants.find(found.grantId);
      if (!grant || grant.revokedAt !== undefined) return undefined;
    }
    return found;
  }

  private async reference(token: string): Promise<ActiveAccessToken | undefined> {
    const key = storageKey(token);
    const row = await this.store.find(key);
    if (!row) return undefined;
    return {
      format: 'reference',
      jti: row.jti,
      clientId: row.clientId,
      sub: row.sub,
      scope: row.scope,
      audience: row.audience,
      issuedAt: row.issuedAt,
      expiresAt: row.expiresAt,
      storageKey: key,
      grantId: row.grantId,
      claims: row.claims,
    };
  }

  private async jwt(token: string, now: number): Promise<ActiveAccessToken | undefined> {
    if (token.split('.').length !== 3) return undefined;
    try {
      const { kid } = decodeProtectedHeader(token);
      if (!kid || !(await this.keys.signerByKid(kid))) return undefined;
      const { payload } = await jwtVerify(token, await this.keys.verifier(), {
        issuer: this.config.issuer,
        typ: 'at+jwt',
        currentDate: new Date(now * 1000),
        requiredClaims: ['exp', 'iat', 'jti', 'sub', 'client_id'],
      });
      const grantId = payload[GRANT_ID_CLAIM];
      let sub = payload.sub as string;
      if (grantId !== undefined) {
        // A pairwise client's token: its sub is the pairwise one; the grant names the user.
        const grant = typeof grantId === 'string' ? await this.grants.find(grantId) : undefined;
        if (!grant || grant.clientId !== payload['client_id']) return undefined;
        if (grant.revokedAt !== undefined && (payload.iat as number) <= grant.revokedAt) return undefined;
        sub = grant.sub;
      }
      return {
        format: 'jwt',
        jti: payload.jti as string,
        clientId: payload['client_id'] as string,
        sub,
        ...(typeof grantId === 'string' ? { grantId } : {}),
        scope: (payload['scope'] as string | undefined) ?? '',
        audience: payload.aud === undefined ? [] : Array.isArray(payload.aud) ? payload.aud : [payload.aud],
        issuedAt: payload.iat as number,
        expiresAt: payload.exp as number,
      };
    } catch {
      return undefined;
    }
  }
}
