import { ACCOUNT_SCOPE } from '@tessera/scopes';
import { AdminScopePolicy } from './admin-scope.policy';
import { Injectable } from '@nestjs/common';
import { InvalidScopeError, UnauthorizedClientError } from '@tessera/oauth-errors';
import { isConfidential, type Client } from '../clients/client';
import { splitScope } from '../clients/client-metadata';
import type { RequestParams } from '../http/form';
import { ResourceServersService } from '../resources/resource-servers.service';
import { AccessTokensService } from '../tokens/access-tokens.service';
import { GrantHandler, type TokenResponse, type ValidatedGrant } from './grant-handler';

/** Scopes that describe a user; a client acting for itself cannot hold them. */
// `account` is the account API's: a person's own account, which a client acting for itself has none of.
const USER_ONLY_SCOPES = new Set(['openid', 'offline_access', 'profile', 'email', 'address', 'phone', ACCOUNT_SCOPE]);

interface ClientCredentialsGrant extends ValidatedGrant {
  scope: string[];
  audience: string[];
  format?: 'reference' | 'jwt';
}

/**
 * RFC 6749 §4.4. The client acts on its own behalf: `sub` is the client_id. Without `scope`,
 * the client gets the scopes its registration marks as required (its default set, §3.3).
 */
@Injectable()
export class ClientCredentialsGrantHandler extends GrantHandler {
  readonly grantType = 'client_credentials';
  readonly parameters = new Set(['scope', 'resource']);
  override readonly repeatableParameters = new Set(['resource']);
  readonly clientAuthentication = 'required' as const;

  constructor(
    private readonly resourceServers: ResourceServersService,
    private readonly accessTokens: AccessTokensService,
    private readonly adminScopes: AdminScopePolicy,
  ) {
    super();
  }

  async validate(params: RequestParams, client: Client): Promise<ClientCredentialsGrant> {
    if (!isConfidential(client)) {
      throw new UnauthorizedClientError('A public client cannot use the client_credentials grant.');
    }
    const allowed = new Set(client.scopes.map((s) => s.scope));
    const requested = params.one['scope'] !== undefined ? splitScope(params.one['scope']) : client.scopes.filter((s) => s.required).map((s) => s.scope);
    const userOnly = requested.filter((s) => USER_ONLY_SCOPES.has(s));
    if (userOnly.length) {
      throw new InvalidScopeError(`${userOnly.join(' ')} describe a user and cannot be granted to a client acting for itself.`, {
        scope: userOnly.join(' '),
      });
    }
    const refused = requested.filter((s) => !allowed.has(s));
    if (refused.length) {
      throw new InvalidScopeError(`The client is not allowed the scope ${refused.join(' ')}.`, { scope: refused.join(' ') });
    }
    this.adminScopes.assertClientMay(client, requested);
    const resources = await this.resourceServers.resolve(params.many['resource'] ?? []);
    for (const rs of resources) {
      const outside = rs.scopes.length ? requested.filter((s) => !rs.scopes.includes(s)) : [];
      if (outside.length) {
        throw new InvalidScopeError(`The resource server ${rs.identifier} does not accept the scope ${outside.join(' ')}.`, {
          scope: outside.join(' '),
        });
      }
    }
    const formats = new Set(resources.map((rs) => rs.accessTokenFormat).filter(Boolean));
    return {
      scope: requested,
      audience: resources.length ? resources.map((rs) => rs.identifier) : client.defaultAudience,
      format: formats.size === 1 ? ([...formats][0] as 'reference' | 'jwt') : undefined,
    };
  }

  async issue(grant: ValidatedGrant, client: Client): Promise<TokenResponse> {
    const g = grant as ClientCredentialsGrant;
    const token = await this.accessTokens.issue({ client, sub: client.clientId, scope: g.scope, audience: g.audience, format: g.format });
    return {
      access_token: token.value,
      token_type: 'Bearer',
      expires_in: token.expiresIn,
      ...(g.scope.length ? { scope: g.scope.join(' ') } : {}),
    };
  }
}
