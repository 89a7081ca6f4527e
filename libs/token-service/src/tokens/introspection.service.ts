import { Inject, Injectable } from '@nestjs/common';
import { InvalidRequestError } from '@tessera/oauth-errors';
import type { Client } from '../clients/client';
import { CLOCK, epochSeconds, type Clock } from '../clock';
import { TOKEN_SERVICE_CONFIG, type TokenServiceConfig } from '../config/token-service-config';
import type { RequestParams } from '../http/form';
import { SigningKeysService } from '../keys/signing-keys.service';
import { ResourceServersService } from '../resources/resource-servers.service';
import { TokenInspectorService, type ActiveAccessToken } from './token-inspector.service';
import { ClientsService } from '../clients/clients.service';
import { SubjectsService } from '../oidc/subjects.service';

export const INTROSPECTION_JWT_MEDIA_TYPE = 'application/token-introspection+jwt';

/**
 * RFC 7662. The answer is `{ active: false }` for anything the caller may not see: an access
 * token is shown only to the client it was issued to and to resource servers in its audience,
 * a refresh token only to its client.
 */
@Injectable()
export class IntrospectionService {
  constructor(
    private readonly inspector: TokenInspectorService,
    private readonly resourceServers: ResourceServersService,
    private readonly keys: SigningKeysService,
    private readonly clients: ClientsService,
    private readonly subjects: SubjectsService,
    @Inject(TOKEN_SERVICE_CONFIG) private readonly config: TokenServiceConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async introspect(params: RequestParams, caller: Client): Promise<Record<string, unknown>> {
    const token = params.one['token'];
    if (!token) throw new InvalidRequestError('token is required.');
    const refresh = await this.inspector.inspectRefreshToken(token);
    if (refresh) {
      // A refresh token is for the authorization server and its client alone: no resource
      // server is in its audience.
      if (refresh.clientId !== caller.clientId) return { active: false };
      return {
        active: true,
        token_type: 'refresh_token',
        scope: refresh.scope.join(' ') || undefined,
        client_id: refresh.clientId,
        // The subject the token's client knows: pairwise for a pairwise client (OIDC Core §8).
        sub: this.subjects.forClient(caller, refresh.sub),
        iss: this.config.issuer,
        exp: refresh.expiresAt,
        iat: refresh.issuedAt,
      };
    }
    const active = await this.inspector.inspect(token);
    if (!active || !(await this.mayIntrospect(caller, active))) return { active: false };
    return {
      active: true,
      scope: active.scope || undefined,
      client_id: active.clientId,
      sub: await this.subjectOf(active),
      aud: active.audience.length === 1 ? active.audience[0] : active.audience.length ? active.audience : undefined,
      iss: this.config.issuer,
      exp: active.expiresAt,
      iat: active.issuedAt,
      jti: active.jti,
      token_type: 'Bearer',
    };
  }

  /** A user's token shows the subject its client knows (pairwise or public); a client's own token, the client. */
  private async subjectOf(active: ActiveAccessToken): Promise<string> {
    if (active.sub === active.clientId && active.grantId === undefined) return active.sub;
    const client = await this.clients.find(active.clientId);
    return client ? this.subjects.forClient(client, active.sub) : active.sub;
  }

  /** RFC 9701: the same answer as a JWT signed by the server, addressed to the caller. */
  async asJwt(response: Record<string, unknown>, caller: Client): Promise<string> {
    const signer = await this.keys.signer('RS256');
    const body = Object.fromEntries(Object.entries(response).filter(([, v]) => v !== undefined));
    return signer.sign(
      { iss: this.config.issuer, aud: caller.clientId, iat: epochSeconds(this.clock), token_introspection: body },
      { typ: 'token-introspection+jwt' },
    );
  }

  private async mayIntrospect(caller: Client, token: ActiveAccessToken): Promise<boolean> {
    if (caller.clientId === token.clientId) return true;
    const mine = await this.resourceServers.identifiersIntrospectableBy(caller.clientId);
    return token.audience.some((aud) => mine.has(aud));
  }
}
