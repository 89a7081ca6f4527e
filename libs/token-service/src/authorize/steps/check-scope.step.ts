import { Injectable } from '@nestjs/common';
import { InvalidScopeError } from '@tessera/oauth-errors';
import { splitScope } from '../../clients/client-metadata';
import { param, type AuthorizeContext, type AuthorizeStep } from '../authorize-context';

/** Requested scopes must all be allowed to the client; without `scope`, its required ones (§3.3). */
@Injectable()
export class CheckScopeStep implements AuthorizeStep {
  readonly name = 'scope';

  run(ctx: AuthorizeContext) {
    const client = ctx.client;
    if (!client) throw new Error('check-client must run first');
    const sent = param(ctx, 'scope');
    const requested = sent !== undefined ? splitScope(sent) : client.scopes.filter((s) => s.required).map((s) => s.scope);
    const allowed = new Set(client.scopes.map((s) => s.scope));
    const refused = requested.filter((s) => !allowed.has(s));
    if (refused.length) {
      throw new InvalidScopeError(`The client is not allowed the scope ${refused.join(' ')}.`, { scope: refused.join(' ') });
    }
    ctx.request.scope = requested;
  }
}
