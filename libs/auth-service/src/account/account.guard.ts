import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { FlowError } from '../http/flow-error';
import { TokenServiceClient } from '../token-service/token-service.client';

export const ACCOUNT_SCOPE = 'account';

/** Who is calling the account API: the token's user, through which client. */
export interface AccountCaller {
  sub: string;
  clientId: string;
  scope: string[];
}

export type AccountRequest = FastifyRequest & { account: AccountCaller };

/**
 * The account API is a resource server of the platform: a bearer access token (RFC 6750 §2.1,
 * header only) with the `account` scope, checked by the token service's internal
 * introspection. Dynamic clients can never obtain that scope, so only first-party apps (the
 * portal) reach these endpoints.
 */
@Injectable()
export class AccountGuard implements CanActivate {
  constructor(private readonly tokenService: TokenServiceClient) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<AccountRequest>();
    const header = req.headers.authorization ?? '';
    const match = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/i.exec(header);
    if (!match) throw withChallenge(new FlowError('invalid_token', 'An access token with the account scope is required (Authorization: Bearer).'), 'Bearer realm="tessera-account"');
    const token = await this.tokenService.introspect(match[1] as string);
    if (!token.active || !token.sub || !token.client_id) {
      throw withChallenge(new FlowError('invalid_token', 'The access token is not active.'), 'Bearer realm="tessera-account", error="invalid_token"');
    }
    const scope = (token.scope ?? '').split(' ').filter(Boolean);
    if (!scope.includes(ACCOUNT_SCOPE)) {
      throw new FlowError('insufficient_scope', `The access token lacks the "${ACCOUNT_SCOPE}" scope.`, { scope: ACCOUNT_SCOPE });
    }
    req.account = { sub: token.sub, clientId: token.client_id, scope };
    return true;
  }
}

function withChallenge(err: FlowError, challenge: string): FlowError {
  (err as FlowError & { wwwAuthenticate?: string }).wwwAuthenticate = challenge;
  return err;
}
