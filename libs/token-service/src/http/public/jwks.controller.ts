import { Controller, Get, Options, Res, UseFilters } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { SigningKeysService } from '../../keys/signing-keys.service';
import { allowCors, answerPreflight } from '../cors';
import { OAuthErrorFilter } from '../oauth-error.filter';

@Controller('oauth2/jwks')
@UseFilters(OAuthErrorFilter)
export class JwksController {
  constructor(private readonly keys: SigningKeysService) {}

  @Get()
  async jwks(@Res() reply: FastifyReply) {
    // Short caching: a pre-published `next` key is in every copy long before it signs.
    void allowCors(reply)
      .header('cache-control', 'public, max-age=300')
      .header('content-type', 'application/jwk-set+json')
      .send(await this.keys.jwks());
  }

  @Options()
  preflight(@Res() reply: FastifyReply) {
    answerPreflight(reply, 'GET');
  }
}
