import { Injectable } from '@nestjs/common';
import { InvalidRequestError } from '@tessera/oauth-errors';
import { isConfidential } from '../../clients/client';
import { param, type AuthorizeContext, type AuthorizeStep } from '../authorize-context';

/** RFC 7636 §4.2: 43 to 128 characters of the unreserved set; S256 of a verifier is 43. */
const CODE_CHALLENGE = /^[A-Za-z0-9._~-]{43,128}$/;

/**
 * PKCE (RFC 7636): S256 only (`plain` is refused, RFC 9700 §2.1.1); required for public clients
 * and for confidential clients whose registration requires it.
 */
@Injectable()
export class CheckPkceStep implements AuthorizeStep {
  readonly name = 'pkce';

  run(ctx: AuthorizeContext) {
    const client = ctx.client;
    if (!client) throw new Error('check-client must run first');
    // No code, nothing to bind a verifier to (response_type id_token, id_token token).
    if (!ctx.request.responseType?.startsWith('code')) return;
    const challenge = param(ctx, 'code_challenge');
    const method = param(ctx, 'code_challenge_method');
    if (challenge === undefined) {
      if (method !== undefined) throw new InvalidRequestError('code_challenge_method was sent without code_challenge.');
      if (!isConfidential(client) || client.requirePkce) {
        throw new InvalidRequestError('This client must use PKCE: send code_challenge with code_challenge_method=S256.');
      }
      return;
    }
    if (method !== 'S256') {
      throw new InvalidRequestError(
        method === undefined || method === 'plain'
          ? 'code_challenge_method must be S256 (plain is not accepted).'
          : `code_challenge_method "${method}" is not supported; use S256.`,
      );
    }
    if (!CODE_CHALLENGE.test(challenge)) throw new InvalidRequestError('code_challenge is malformed (RFC 7636 §4.2).');
    ctx.request.codeChallenge = challenge;
    ctx.request.codeChallengeMethod = 'S256';
  }
}
