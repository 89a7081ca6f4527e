import { Inject, Injectable } from '@nestjs/common';
import { InvalidRequestError, OAuthError } from '@tessera/oauth-errors';
import { TOKEN_SERVICE_CONFIG, type TokenServiceConfig } from '../../config/token-service-config';
import { param, type AuthorizeContext, type AuthorizeStep } from '../authorize-context';
import { returnsTokensFrom } from './check-response-mode.step';
import { PAR_URN_PREFIX, PushedRequestsService } from '../pushed-requests.service';
import { RequestObjectsService } from '../request-objects.service';

/**
 * Where the authorization request's parameters come from: the query or form as sent, a pushed
 * request (RFC 9126 `request_uri` URN), or a request object (RFC 9101 `request` by value,
 * `request_uri` by reference). With the latter two only their parameters count, plus
 * `client_id` (RFC 9101 §6.3, RFC 9126 §4). Runs right after the client is known.
 */
@Injectable()
export class CheckRequestObjectStep implements AuthorizeStep {
  readonly name = 'request_object';

  constructor(
    private readonly pushed: PushedRequestsService,
    private readonly requestObjects: RequestObjectsService,
    @Inject(TOKEN_SERVICE_CONFIG) private readonly config: TokenServiceConfig,
  ) {}

  async run(ctx: AuthorizeContext) {
    const client = ctx.client;
    if (!client) throw new Error('check-client must run first');
    if ((ctx.raw['request']?.length ?? 0) > 1 || (ctx.raw['request_uri']?.length ?? 0) > 1) {
      throw new InvalidRequestError('request and request_uri may be sent once each.');
    }
    const request = param(ctx, 'request');
    const requestUri = param(ctx, 'request_uri');
    if (request !== undefined && requestUri !== undefined) throw new InvalidRequestError('Send either request or request_uri, not both.');

    if (requestUri?.startsWith(PAR_URN_PREFIX)) {
      if (ctx.pushed) throw new InvalidRequestError('A pushed request cannot refer to another request_uri.');
      ctx.raw = { ...(await this.pushed.take(requestUri, client)), client_id: [client.clientId] };
      ctx.pushed = true;
      return;
    }
    if (!ctx.pushed && (client.requirePushedAuthorizationRequests || this.config.requirePushedAuthorizationRequests)) {
      throw new InvalidRequestError('Authorization requests for this client must be pushed first (RFC 9126): POST them to the pushed authorization request endpoint.');
    }
    if (request === undefined && requestUri === undefined) return;
    if (requestUri !== undefined && ctx.pushed) throw new InvalidRequestError('request_uri cannot be pushed (RFC 9126 §2.1).');

    const query = ctx.raw;
    try {
      const jwt = request ?? (await this.requestObjects.fetch(requestUri as string, client));
      const params = await this.requestObjects.parameters(jwt, client);
      // OIDC Core §6.1: response_type sent alongside must agree with the object's.
      const queryType = query['response_type']?.[0];
      if (queryType !== undefined && params['response_type'] !== undefined && params['response_type'][0] !== queryType) {
        throw new OAuthError('invalid_request_object', 'response_type in the request object differs from the one in the request.');
      }
      ctx.raw = { ...params, client_id: [client.clientId] };
    } catch (err) {
      // The object could not be used: its errors may still go to a redirect URI the query names,
      // if it is registered for this client, rather than to an error page.
      const sent = query['redirect_uri'];
      if (sent?.length === 1 && client.redirectUris.includes(sent[0])) {
        ctx.redirectUri = sent[0];
        if (query['state']?.length === 1) ctx.state = query['state'][0];
        // The response type's default mode: tokens never travel in the query (§5).
        const responseType = query['response_type']?.[0];
        ctx.responseMode = responseType !== undefined && returnsTokensFrom(responseType) ? 'fragment' : 'query';
      }
      throw err;
    }
  }
}
