import { Inject, Injectable } from '@nestjs/common';
import { InsufficientScopeError, InvalidTokenError } from '@tessera/oauth-errors';
import { claimsRequestedNames, releaseClaims, type ClaimsRequest, type ScopeRegistry } from '@tessera/scopes';
import type { Client } from '../clients/client';
import { ClientsService } from '../clients/clients.service';
import { CLOCK, epochSeconds, type Clock } from '../clock';
import { TOKEN_SERVICE_CONFIG, type TokenServiceConfig } from '../config/token-service-config';
import { UserClaimsService } from '../claims/user-claims.service';
import { SigningKeysService } from '../keys/signing-keys.service';
import { SCOPE_REGISTRY } from '../token-service.tokens';
import { TokenInspectorService } from '../tokens/token-inspector.service';
import { SubjectsService } from './subjects.service';

/** What the UserInfo endpoint answers: JSON, or a JWT when the client registered a signing alg. */
export type UserinfoAnswer = { kind: 'json'; claims: Record<string, unknown> } | { kind: 'jwt'; jwt: string };

/**
 * OpenID Connect Core §5.3: the claims an access token's grant releases about its user, and
 * nothing else. The token must be active and carry `openid`.
 */
@Injectable()
export class UserinfoService {
  constructor(
    private readonly inspector: TokenInspectorService,
    private readonly clients: ClientsService,
    private readonly userClaims: UserClaimsService,
    private readonly subjects: SubjectsService,
    private readonly keys: SigningKeysService,
    @Inject(SCOPE_REGISTRY) private readonly registry: ScopeRegistry,
    @Inject(TOKEN_SERVICE_CONFIG) private readonly config: TokenServiceConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async answer(token: string): Promise<UserinfoAnswer> {
    const active = await this.inspector.inspect(token);
    if (!active) throw new InvalidTokenError('The access token is invalid, expired or revoked.', { detail: 'userinfo: inactive token' });
    const scope = active.scope.split(' ').filter(Boolean);
    // A client_credentials token is about the client itself: there is no user to describe.
    if (active.sub === active.clientId && active.grantId === undefined) {
      throw new InvalidTokenError('This access token was issued to a client for itself; UserInfo describes users.', { detail: 'userinfo: client token' });
    }
    if (!scope.includes('openid')) {
      throw new InsufficientScopeError('UserInfo needs an access token granted the openid scope.', { scope: 'openid' });
    }
    const client = await this.clients.find(active.clientId);
    if (!client) throw new InvalidTokenError('The access token is invalid, expired or revoked.', { detail: 'userinfo: client gone' });
    const profile = await this.userClaims.claimsOf(active.sub);
    if (!profile) throw new InvalidTokenError('The user of this access token no longer exists.', { detail: 'userinfo: no such user' });

    const claimsRequest: ClaimsRequest | undefined = active.claims?.userinfo ? { userinfo: active.claims.userinfo as ClaimsRequest['userinfo'] } : undefined;
    const released = releaseClaims({
      target: 'userinfo',
      profile,
      grantedScopes: scope,
      claimsRequest,
      grantedClaims: claimsRequest ? claimsRequestedNames(claimsRequest, 'userinfo') : [],
      scopeClaimsInIdToken: false,
      claimsLocales: active.claims?.locales,
      registry: this.registry,
    });
    const claims = { sub: this.subjects.forClient(client, active.sub), ...released };
    if (!client.userinfoSignedResponseAlg) return { kind: 'json', claims };
    return { kind: 'jwt', jwt: await this.sign(client, claims) };
  }

  /** §5.3.2: a signed response carries iss and aud, and is signed with the client's registered alg. */
  private async sign(client: Client, claims: Record<string, unknown>): Promise<string> {
    const signer = await this.keys.signer(client.userinfoSignedResponseAlg as NonNullable<Client['userinfoSignedResponseAlg']>);
    return signer.sign({ iss: this.config.issuer, aud: client.clientId, iat: epochSeconds(this.clock), ...claims });
  }
}
