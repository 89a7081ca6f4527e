import { Injectable } from '@nestjs/common';
import { InvalidRequestError, UnauthorizedClientError, UnsupportedResponseTypeError } from '@tessera/oauth-errors';
import { RESPONSE_TYPES } from '../../clients/client';
import { canonicalResponseType, isResponseType } from '../../clients/client-metadata';
import { param, type AuthorizeContext, type AuthorizeStep } from '../authorize-context';

/**
 * `response_type` (OAuth 2.0 Multiple Response Type Encoding Practices §5): the words in any
 * order, each combination allowed only to a client registered for it. Returning tokens from the
 * authorization endpoint (implicit, hybrid) is a legacy an administrator enables per client.
 */
@Injectable()
export class CheckResponseTypeStep implements AuthorizeStep {
  readonly name = 'response_type';

  run(ctx: AuthorizeContext) {
    const sent = param(ctx, 'response_type');
    if (!sent) throw new InvalidRequestError('response_type is required.');
    const responseType = canonicalResponseType(sent);
    if (!isResponseType(responseType)) {
      throw new UnsupportedResponseTypeError(`response_type "${sent}" is not supported. Supported: ${RESPONSE_TYPES.join(', ')}.`);
    }
    if (!ctx.client?.responseTypes.includes(responseType)) {
      throw new UnauthorizedClientError(`This client is not registered for response_type "${responseType}".`);
    }
    ctx.request.responseType = responseType;
  }
}
