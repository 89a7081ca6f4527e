import { Injectable } from '@nestjs/common';
import { InvalidRequestError, UnauthorizedClientError } from '@tessera/oauth-errors';
import type { Client } from '../clients/client';
import type { RequestParams } from '../http/form';
import { AccessTokenStore, RevokedTokenStore } from '../ports/access-token.store';
import { TokenInspectorService } from './token-inspector.service';

/**
 * RFC 7009. An unknown, expired or already revoked token is answered 200 like a revoked one
 * (§2.2), so the endpoint reveals nothing. A token issued to another client is refused.
 */
@Injectable()
export class RevocationService {
  constructor(
    private readonly inspector: TokenInspectorService,
    private readonly accessTokens: AccessTokenStore,
    private readonly revoked: RevokedTokenStore,
  ) {}

  async revoke(params: RequestParams, caller: Client): Promise<void> {
    const token = params.one['token'];
    if (!token) throw new InvalidRequestError('token is required.');
    const active = await this.inspector.inspect(token);
    if (!active) return;
    if (active.clientId !== caller.clientId) {
      throw new UnauthorizedClientError('This token was not issued to the client revoking it.');
    }
    if (active.storageKey) await this.accessTokens.delete(active.storageKey);
    else await this.revoked.add(active.jti, active.expiresAt);
  }
}
