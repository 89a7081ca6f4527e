import { Controller, Inject, Options, Post, Req, Res, UseFilters } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ClientAuthenticator } from '../../client-auth/client-authenticator';
import { TOKEN_SERVICE_CONFIG, type TokenServiceConfig } from '../../config/token-service-config';
import { RevocationService } from '../../tokens/revocation.service';
import { allowCors, answerPreflight } from '../cors';
import { readForm } from '../form';
import { OAuthErrorFilter } from '../oauth-error.filter';
import { endpointUrl } from './endpoints';

/** RFC 7009. */
@Controller('oauth2/revoke')
@UseFilters(OAuthErrorFilter)
export class RevokeController {
  private readonly url: string;
  constructor(
    private readonly authenticator: ClientAuthenticator,
    private readonly revocation: RevocationService,
    @Inject(TOKEN_SERVICE_CONFIG) config: TokenServiceConfig,
  ) {
    this.url = endpointUrl(config.issuer, 'revoke');
  }

  @Post()
  async revoke(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    allowCors(reply);
    const params = readForm(req.body);
    const caller = await this.authenticator.authenticate(params, req.headers.authorization, this.url);
    await this.revocation.revoke(params, caller);
    void reply.code(200).header('cache-control', 'no-store').send();
  }

  @Options()
  preflight(@Res() reply: FastifyReply) {
    answerPreflight(reply, 'POST');
  }
}
