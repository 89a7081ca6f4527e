import { Controller, Inject, Post, Req, Res, UseFilters } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { InvalidRequestError } from '@tessera/oauth-errors';
import { newContext, AuthorizePipeline } from '../../authorize/pipeline';
import { PushedRequestsService } from '../../authorize/pushed-requests.service';
import { ClientAuthenticator } from '../../client-auth/client-authenticator';
import { TOKEN_SERVICE_CONFIG, type TokenServiceConfig } from '../../config/token-service-config';
import { readForm } from '../form';
import { OAuthErrorFilter } from '../oauth-error.filter';
import { endpointUrl } from './endpoints';

/** Client authentication parameters: they authenticate the push and are not part of the request. */
const CLIENT_AUTH_PARAMS = new Set(['client_secret', 'client_assertion', 'client_assertion_type']);

/**
 * The pushed authorization request endpoint (RFC 9126): the client authenticates and posts its
 * authorization request; it is validated as the authorization endpoint would, kept briefly, and
 * named by a one-time `request_uri` the browser then carries instead of the parameters.
 */
@Controller('oauth2/par')
@UseFilters(OAuthErrorFilter)
export class ParController {
  private readonly url: string;

  constructor(
    private readonly authenticator: ClientAuthenticator,
    private readonly pipeline: AuthorizePipeline,
    private readonly pushed: PushedRequestsService,
    @Inject(TOKEN_SERVICE_CONFIG) config: TokenServiceConfig,
  ) {
    this.url = endpointUrl(config.issuer, 'par');
  }

  @Post()
  async push(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    // readForm refuses anything but a form body, so the body is a URLSearchParams from here on.
    const form = readForm(req.body, new Set(['resource']));
    const body = req.body as URLSearchParams;
    const client = await this.authenticator.authenticate(form, req.headers.authorization, this.url);
    if (body.has('request_uri')) throw new InvalidRequestError('request_uri cannot be pushed (RFC 9126 §2.1).');
    const sentClientId = body.get('client_id');
    if (sentClientId !== null && sentClientId !== client.clientId) throw new InvalidRequestError('client_id differs from the authenticated client.');

    const params = new URLSearchParams();
    for (const [name, value] of body) if (!CLIENT_AUTH_PARAMS.has(name)) params.append(name, value);
    params.set('client_id', client.clientId);
    const ctx = newContext(params, true);
    // The same checks as at the authorization endpoint; errors answer here, as JSON (§2.3).
    await this.pipeline.run(ctx);
    const { requestUri, expiresIn } = await this.pushed.save(client, ctx.raw);
    void reply.code(201).header('cache-control', 'no-store').header('pragma', 'no-cache').send({ request_uri: requestUri, expires_in: expiresIn });
  }
}
