import { Injectable } from '@nestjs/common';
import { InvalidRequestError, UnauthorizedClientError, UnsupportedResponseTypeError } from '@tessera/oauth-errors';
import { param, type AuthorizeContext, type AuthorizeStep } from '../authorize-context';

@Injectable()
export class CheckResponseTypeStep implements AuthorizeStep {
  readonly name = 'response_type';

  run(ctx: AuthorizeContext) {
    const responseType = param(ctx, 'response_type');
    if (!responseType) throw new InvalidRequestError('response_type is required.');
    if (responseType !== 'code') throw new UnsupportedResponseTypeError(`response_type "${responseType}" is not supported. Supported: code.`);
    if (!ctx.client?.responseTypes.includes('code') || !ctx.client.grantTypes.includes('authorization_code')) {
      throw new UnauthorizedClientError('This client is not registered for the authorization code flow.');
    }
    ctx.request.responseType = 'code';
  }
}
