import { Injectable } from '@nestjs/common';
import { OAuthError } from '@tessera/oauth-errors';
import type { AuthorizeContext, AuthorizeStep } from '../authorize-context';

/** Request objects (JAR, RFC 9101) are not supported yet: say so with OIDC's own error codes. */
@Injectable()
export class CheckRequestObjectStep implements AuthorizeStep {
  readonly name = 'request_object';

  run(ctx: AuthorizeContext) {
    if (ctx.raw['request']) throw new OAuthError('request_not_supported', 'Request objects (the request parameter) are not supported.');
    if (ctx.raw['request_uri']) throw new OAuthError('request_uri_not_supported', 'The request_uri parameter is not supported.');
  }
}
