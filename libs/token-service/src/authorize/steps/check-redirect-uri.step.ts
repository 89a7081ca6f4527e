import { Injectable } from '@nestjs/common';
import { InvalidRequestError } from '@tessera/oauth-errors';
import type { AuthorizeContext, AuthorizeStep } from '../authorize-context';

/**
 * Exact string match against a registered redirect_uri (RFC 9700 §4.1.3). It may be omitted
 * only when exactly one is registered (RFC 6749 §3.1.2.3) and the request is not OpenID Connect.
 * Until it is verified, no error is ever redirected.
 */
@Injectable()
export class CheckRedirectUriStep implements AuthorizeStep {
  readonly name = 'redirect_uri';

  run(ctx: AuthorizeContext) {
    const client = ctx.client;
    if (!client) throw new Error('check-client must run first');
    const values = ctx.raw['redirect_uri'] ?? [];
    if (values.length > 1) throw new InvalidRequestError('redirect_uri was sent more than once.');
    const sent = values[0];
    if (sent === undefined || sent === '') {
      // OpenID Connect Core §3.1.2.1 makes redirect_uri REQUIRED in an authentication request;
      // plain OAuth 2.0 may omit it when exactly one is registered (RFC 6749 §3.1.2.3).
      if (ctx.raw['scope']?.[0]?.split(' ').includes('openid')) {
        throw new InvalidRequestError('redirect_uri is required in an OpenID Connect request (OpenID Connect Core §3.1.2.1).');
      }
      if (client.redirectUris.length !== 1) {
        throw new InvalidRequestError('redirect_uri is required: this client registered more than one (or none).');
      }
      ctx.redirectUri = client.redirectUris[0];
      ctx.request.redirectUriSent = false;
    } else {
      if (!client.redirectUris.includes(sent)) {
        throw new InvalidRequestError('redirect_uri does not exactly match any redirect URI registered for this client.');
      }
      ctx.redirectUri = sent;
      ctx.request.redirectUriSent = true;
    }
    ctx.request.redirectUri = ctx.redirectUri;
  }
}
