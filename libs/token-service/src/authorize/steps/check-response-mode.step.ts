import { Injectable } from '@nestjs/common';
import { InvalidRequestError } from '@tessera/oauth-errors';
import { param, type AuthorizeContext, type AuthorizeStep } from '../authorize-context';

export const RESPONSE_MODES = ['query', 'form_post'] as const;

/** OAuth 2.0 Multiple Response Types and Form Post Response Mode: query (default) or form_post. */
@Injectable()
export class CheckResponseModeStep implements AuthorizeStep {
  readonly name = 'response_mode';

  run(ctx: AuthorizeContext) {
    const mode = param(ctx, 'response_mode');
    if (mode !== undefined && !(RESPONSE_MODES as readonly string[]).includes(mode)) {
      throw new InvalidRequestError(`response_mode "${mode}" is not supported. Supported: ${RESPONSE_MODES.join(', ')}.`);
    }
    ctx.responseMode = (mode as (typeof RESPONSE_MODES)[number] | undefined) ?? 'query';
    ctx.request.responseMode = ctx.responseMode;
  }
}
