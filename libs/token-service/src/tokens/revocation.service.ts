import { Inject, Injectable } from '@nestjs/common';
import { InvalidRequestError, UnauthorizedClientError } from '@tessera/oauth-errors';
import { storageKey } from '@tessera/token-formats';
import type { Client } from '../clients/client';
import { CLOCK, epochSeconds, type Clock } from '../clock';
import type { RequestParams } from '../http/form';
import { AccessTokenStore, RevokedTokenStore } from '../ports/access-token.store';
import { RefreshTokenStore } from '../ports/refresh-token.store';
import { TokenFamiliesService } from './token-families.service';
import { REFRESH_TOKEN_PREFIX, TokenInspectorService } from './token-inspector.service';

const NOT_YOURS = 'This token was not issued to the client revoking it.';

/**
 * RFC 7009. An unknown, expired or already revoked token is answered 200 like a revoked one
 * (§2.2), so the endpoint reveals nothing. A token issued to another client is refused.
 * Revoking a refresh token revokes its whole family: every refresh token rotated from the same
 * code redemption and the access tokens issued with them (§2.1).
 */
@Injectable()
export class RevocationService {
  constructor(
    private readonly inspector: TokenInspectorService,
    private readonly accessTokens: AccessTokenStore,
    private readonly revoked: RevokedTokenStore,
    private readonly refreshTokens: RefreshTokenStore,
    private readonly families: TokenFamiliesService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async revoke(params: RequestParams, caller: Client): Promise<void> {
    const token = params.one['token'];
    if (!token) throw new InvalidRequestError('token is required.');
    // The hint only orders the search (§2.1); every refresh token carries the prefix anyway.
    if (token.startsWith(REFRESH_TOKEN_PREFIX) || params.one['token_type_hint'] === 'refresh_token') {
      if (await this.revokeRefreshToken(token, caller)) return;
    }
    const active = await this.inspector.inspect(token);
    if (!active) return;
    if (active.clientId !== caller.clientId) throw new UnauthorizedClientError(NOT_YOURS);
    if (active.storageKey) await this.accessTokens.delete(active.storageKey);
    else await this.revoked.add(active.jti, active.expiresAt);
  }

  /** True when the value is one of our refresh tokens (revoked now, or already unusable). */
  private async revokeRefreshToken(token: string, caller: Client): Promise<boolean> {
    const found = await this.refreshTokens.find(storageKey(token));
    if (!found) return false;
    if (found.revokedAt !== undefined || found.expiresAt <= epochSeconds(this.clock)) return true;
    if (found.clientId !== caller.clientId) throw new UnauthorizedClientError(NOT_YOURS);
    // Also a rotated-out one: the client is done with the whole family (a logout, say).
    await this.families.revokeFamily(found.familyId);
    return true;
  }
}
