import { Body, Controller, HttpCode, Inject, Post, UseFilters, UseGuards } from '@nestjs/common';
import { TOKEN_SERVICE_CONFIG, type TokenServiceConfig } from '../../config/token-service-config';
import { InvalidRequestError } from '@tessera/oauth-errors';
import { TokenInspectorService } from '../../tokens/token-inspector.service';
import { OAuthErrorFilter } from '../oauth-error.filter';
import { InternalApiGuard, InternalCallers } from './internal-api.guard';

/**
 * Access-token introspection for Tessera's own APIs (the account API, the admin API): they are
 * resource servers of this platform, trusted with the internal subject rather than a
 * client's pairwise one. Refresh tokens are never accepted here.
 */
@Controller('internal/tokens')
@UseGuards(InternalApiGuard)
@InternalCallers('auth-service', 'admin-api')
@UseFilters(OAuthErrorFilter)
export class InternalTokensController {
  constructor(
    private readonly inspector: TokenInspectorService,
    @Inject(TOKEN_SERVICE_CONFIG) private readonly config: TokenServiceConfig,
  ) {}

  @Post('introspect')
  @HttpCode(200)
  async introspect(@Body() body: unknown) {
    const token = (body as { token?: unknown } | undefined)?.token;
    if (typeof token !== 'string' || !token || token.length > 8192) throw new InvalidRequestError('token is required.');
    const active = await this.inspector.inspect(token);
    if (!active) return { active: false };
    // RFC 7662 §2.2's fields, so that libs/resource-server checks this answer as it checks the public endpoint's.
    return {
      active: true,
      iss: this.config.issuer,
      token_type: 'Bearer',
      sub: active.sub,
      client_id: active.clientId,
      scope: active.scope,
      aud: active.audience,
      iat: active.issuedAt,
      exp: active.expiresAt,
    };
  }
}
