import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { TokenError, TokenVerifier, wwwAuthenticate } from '@tessera/resource-server';
import { ACCOUNT_SCOPE } from '@tessera/scopes';
import type { FastifyRequest } from 'fastify';
import { FlowError } from '../http/flow-error';

export { ACCOUNT_SCOPE };

/** Who is calling the account API: the token's user, through which client. */
export interface AccountCaller {
  sub: string;
  clientId: string;
  scope: string[];
}

export type AccountRequest = FastifyRequest & { account: AccountCaller };

/** The account API's own TokenVerifier (provided by the core module), so that it is not confused with another API's. */
export class AccountTokenVerifier extends TokenVerifier {}

/**
 * The account API is a resource server of the platform (libs/resource-server): a bearer access
 * token (RFC 6750 §2.1, header only) addressed to it (`aud` `<issuer>/auth/account`) with the
 * `account` scope, asked about at the token service's internal introspection (JWTs too, no
 * cache: a revoked token is refused with the next request). Dynamic clients can never obtain
 * that scope, so only first-party apps (the portal) reach these endpoints. Refusals are the
 * service's FlowErrors, with RFC 6750's status and WWW-Authenticate.
 */
@Injectable()
export class AccountGuard implements CanActivate {
  constructor(private readonly verifier: AccountTokenVerifier) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<AccountRequest>();
    try {
      const token = await this.verifier.authorize(req.headers.authorization, [ACCOUNT_SCOPE]);
      // A client acting for itself names itself as the subject: it has no account.
      if (!token.sub || token.sub === token.client_id) throw new TokenError('invalid_token', 'The access token names no user.');
      req.account = { sub: token.sub, clientId: token.client_id, scope: token.scopes };
      return true;
    } catch (err) {
      if (!(err instanceof TokenError)) throw err;
      throw refusal(err, this.verifier.audiences[0]);
    }
  }
}

function refusal(err: TokenError, realm: string | undefined): FlowError {
  const description = err.credentialsMissing ? 'An access token with the account scope is required (Authorization: Bearer).' : err.description;
  const flowError =
    err.code === 'insufficient_scope'
      ? new FlowError('insufficient_scope', `The access token lacks the "${ACCOUNT_SCOPE}" scope.`, { scope: ACCOUNT_SCOPE })
      : new FlowError(err.code === 'invalid_request' ? 'invalid_request' : 'invalid_token', description);
  (flowError as FlowError & { wwwAuthenticate?: string }).wwwAuthenticate = wwwAuthenticate(err, realm);
  return flowError;
}
