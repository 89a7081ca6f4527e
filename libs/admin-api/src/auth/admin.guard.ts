import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { BearerTokenGuard, type VerifiedToken } from '@tessera/resource-server';
import { clientIp } from '@tessera/runtime';
import type { FastifyRequest } from 'fastify';
import { ADMIN_API_CONFIG } from '../admin-api.tokens';
import type { AdminApiConfig } from '../config/admin-api-config';
import { Problem } from '../http/problem';
import { AuthServiceApi, TokenServiceApi } from '../upstream/internal-api';

/** Who is acting: an administrator (a user with the admin role) or an admin client acting for itself. */
export interface Actor {
  type: 'user' | 'client';
  /** The user's `sub`, or the client's id. */
  id: string;
  /** The client the token was issued to. */
  clientId: string;
  ip: string;
}

export type AdminRequest = FastifyRequest & { token: VerifiedToken; actor: Actor };

/**
 * The admin API's door. The token (libs/resource-server: introspected at the token service, JWTs
 * included, so a revoked one is refused at once; `aud` the admin API; the route's scopes), then
 * the holder, again at every request: a user must still hold the admin role (and be active), a
 * client must still be an admin client. A token issued before its user lost the role is refused.
 */
@Injectable()
export class AdminGuard implements CanActivate {
  constructor(
    private readonly bearer: BearerTokenGuard,
    private readonly tokenService: TokenServiceApi,
    private readonly authService: AuthServiceApi,
    @Inject(ADMIN_API_CONFIG) private readonly config: AdminApiConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    await this.bearer.canActivate(context);
    const req = context.switchToHttp().getRequest<AdminRequest>();
    const token = req.token;
    // client_credentials tokens name the client as their subject.
    const actsForItself = token.sub === undefined || token.sub === token.client_id;
    if (actsForItself) {
      const client = await this.tokenService.call<{ admin?: boolean; disabled?: boolean }>('GET', `/internal/clients/${encodeURIComponent(token.client_id)}`).catch((err: unknown) => {
        // A client that no longer exists is no admin client; a token service that cannot answer is a 503, not a verdict.
        if (err instanceof Problem && err.status === 404) return undefined;
        throw err;
      });
      if (!client?.admin || client.disabled) throw new Problem(403, 'insufficient_role', 'This client is not an admin client.');
    } else {
      const user = await this.authService.call<{ roles: string[] }>('GET', `/internal/users/${encodeURIComponent(token.sub as string)}/roles`).catch((err: unknown) => {
        if (err instanceof Problem && err.status === 404) return { roles: [] as string[] };
        throw err;
      });
      if (!user.roles.includes('admin')) throw new Problem(403, 'insufficient_role', 'This account does not hold the admin role (any more).');
    }
    req.actor = {
      type: actsForItself ? 'client' : 'user',
      id: actsForItself ? token.client_id : (token.sub as string),
      clientId: token.client_id,
      ip: clientIp(req, this.config.trustedProxies),
    };
    return true;
  }
}
