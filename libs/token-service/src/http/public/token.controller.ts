import { Controller, Inject, Options, Post, Req, Res, UseFilters } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { TOKEN_SERVICE_CONFIG, type TokenServiceConfig } from '../../config/token-service-config';
import { TokenEndpointService } from '../../grants/token-endpoint.service';
import { clientIp } from '@tessera/runtime';
import { allowCors, answerPreflight } from '../cors';
import { OAuthErrorFilter } from '../oauth-error.filter';
import { endpointUrl } from './endpoints';

@Controller('oauth2/token')
@UseFilters(OAuthErrorFilter)
export class TokenController {
  private readonly url: string;
  constructor(
    private readonly tokens: TokenEndpointService,
    @Inject(TOKEN_SERVICE_CONFIG) private readonly config: TokenServiceConfig,
  ) {
    this.url = endpointUrl(config.issuer, 'token');
  }

  @Post()
  async token(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    allowCors(reply);
    const response = await this.tokens.handle(req.body, req.headers.authorization, this.url, { ip: clientIp(req, this.config.trustedProxies) });
    void reply.code(200).header('cache-control', 'no-store').header('pragma', 'no-cache').send(response);
  }

  @Options()
  preflight(@Res() reply: FastifyReply) {
    answerPreflight(reply, 'POST');
  }
}
