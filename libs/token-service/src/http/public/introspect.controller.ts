import { Controller, Inject, Post, Req, Res, UseFilters } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ClientAuthenticator } from '../../client-auth/client-authenticator';
import { TOKEN_SERVICE_CONFIG, type TokenServiceConfig } from '../../config/token-service-config';
import { INTROSPECTION_JWT_MEDIA_TYPE, IntrospectionService } from '../../tokens/introspection.service';
import { InvalidClientError } from '@tessera/oauth-errors';
import { readForm } from '../form';
import { OAuthErrorFilter } from '../oauth-error.filter';
import { endpointUrl } from './endpoints';

/** RFC 7662, with RFC 9701's signed JWT answer for `Accept: application/token-introspection+jwt`. */
@Controller('oauth2/introspect')
@UseFilters(OAuthErrorFilter)
export class IntrospectController {
  private readonly url: string;
  constructor(
    private readonly authenticator: ClientAuthenticator,
    private readonly introspection: IntrospectionService,
    @Inject(TOKEN_SERVICE_CONFIG) config: TokenServiceConfig,
  ) {
    this.url = endpointUrl(config.issuer, 'introspect');
  }

  @Post()
  async introspect(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const params = readForm(req.body);
    const caller = await this.authenticator.authenticate(params, req.headers.authorization, this.url);
    if (caller.tokenEndpointAuthMethod === 'none') {
      throw new InvalidClientError('Public clients cannot introspect tokens.', { status: 401, detail: 'public client' });
    }
    const response = await this.introspection.introspect(params, caller);
    void reply.code(200).header('cache-control', 'no-store').header('pragma', 'no-cache');
    if ((req.headers.accept ?? '').includes(INTROSPECTION_JWT_MEDIA_TYPE)) {
      void reply.header('content-type', INTROSPECTION_JWT_MEDIA_TYPE).send(await this.introspection.asJwt(response, caller));
      return;
    }
    void reply.send(response);
  }
}
