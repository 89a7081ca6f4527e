import { Injectable } from '@nestjs/common';
import { InvalidRequestError } from '@tessera/oauth-errors';
import { canonicalResponseType } from '../../clients/client-metadata';
import { param, type AuthorizeContext, type AuthorizeStep } from '../authorize-context';

export const RESPONSE_MODES = ['query', 'fragment', 'form_post'] as const;
export type ResponseModeName = (typeof RESPONSE_MODES)[number];

/**
 * OAuth 2.0 Multiple Response Type Encoding Practices §2.1 and §5, Form Post Response Mode.
 * The default is query for `code` and fragment for every response type that returns a token
 * or an ID token, and query may never carry those (§5). The default is settled first so that
 * an error about the mode itself already travels the way the client expects.
 */
@Injectable()
export class CheckResponseModeStep implements AuthorizeStep {
  readonly name = 'response_mode';

  run(ctx: AuthorizeContext) {
    // RFC 6749 §4.1.2.1: state is echoed in every error, this step's included.
    if (ctx.raw['state']?.length === 1) ctx.state = ctx.raw['state'][0];
    const responseType = canonicalResponseType(param(ctx, 'response_type') ?? 'code');
    const returnsTokens = returnsTokensFrom(responseType);
    ctx.responseMode = returnsTokens ? 'fragment' : 'query';
    ctx.request.responseMode = ctx.responseMode;
    const mode = param(ctx, 'response_mode');
    if (mode === undefined) return;
    if (!(RESPONSE_MODES as readonly string[]).includes(mode)) {
      throw new InvalidRequestError(`response_mode "${mode}" is not supported. Supported: ${RESPONSE_MODES.join(', ')}.`);
    }
    if (mode === 'query' && returnsTokens) {
      throw new InvalidRequestError(`response_mode "query" cannot carry the tokens of response_type "${responseType}"; use fragment or form_post.`);
    }
    ctx.responseMode = mode as ResponseModeName;
    ctx.request.responseMode = ctx.responseMode;
  }
}

/** Whether a response type returns a token or an ID token from the authorization endpoint (§5). */
export function returnsTokensFrom(responseType: string): boolean {
  return canonicalResponseType(responseType).split(' ').some((w) => w === 'token' || w === 'id_token');
}
