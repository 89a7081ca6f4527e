import { Inject, Injectable } from '@nestjs/common';
import { InvalidRequestError } from '@tessera/oauth-errors';
import { essentialAcrValues, parseClaimsRequest, requestedAcr, type ClaimsRequest, type ScopeRegistry } from '@tessera/scopes';
import type { Client } from '../../clients/client';
import { SCOPE_REGISTRY } from '../../token-service.tokens';
import { IdTokenHintError, verifyIdTokenHint } from '@tessera/token-formats';
import { TOKEN_SERVICE_CONFIG, type TokenServiceConfig } from '../../config/token-service-config';
import { SigningKeysService } from '../../keys/signing-keys.service';
import { CLOCK, type Clock } from '../../clock';
import { param, type AuthorizeContext, type AuthorizeStep } from '../authorize-context';

const DISPLAY_VALUES = new Set(['page', 'popup', 'touch', 'wap']);
/** Protocol claims a claims request may name: acr (§5.5.1.1), auth_time, and sub's value (§5.5.1). */
const REQUESTABLE_PROTOCOL_CLAIMS = new Set(['acr', 'auth_time', 'sub']);

/**
 * The OpenID Connect parameters of an authentication request (Core §3.1.2.1, §3.2.2.1,
 * §3.3.2.1, §5.5): without the `openid` scope the request is plain OAuth 2.0 and they are
 * ignored, except that an ID token cannot be asked for.
 */
@Injectable()
export class CheckOpenIdStep implements AuthorizeStep {
  readonly name = 'openid';
  /** Claims some scope releases; the registry is fixed at start, so this is computed once. */
  private readonly claimsOfSomeScope: ReadonlySet<string>;

  constructor(
    private readonly keys: SigningKeysService,
    @Inject(TOKEN_SERVICE_CONFIG) private readonly config: TokenServiceConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(SCOPE_REGISTRY) private readonly registry: ScopeRegistry,
  ) {
    this.claimsOfSomeScope = registry.claimsForScopes(registry.supportedScopes());
  }

  async run(ctx: AuthorizeContext) {
    const request = ctx.request;
    const client = ctx.client;
    if (!client || !request.responseType || !request.scope) throw new Error('client, response_type and scope must be checked first');
    const wantsIdToken = request.responseType.includes('id_token');
    if (!request.scope.includes('openid')) {
      if (wantsIdToken) throw new InvalidRequestError(`response_type "${request.responseType}" returns an ID token and needs the openid scope.`);
      return;
    }
    // §3.2.2.1, §3.3.2.11: the nonce binds an ID token from the authorization endpoint to the browser session.
    if (wantsIdToken && request.nonce === undefined) {
      throw new InvalidRequestError(`nonce is required with response_type "${request.responseType}" (OpenID Connect Core §3.2.2.1).`);
    }
    const display = param(ctx, 'display');
    if (display !== undefined && !DISPLAY_VALUES.has(display)) {
      throw new InvalidRequestError(`display "${display}" is not supported. Supported: ${[...DISPLAY_VALUES].join(', ')}.`);
    }
    request.display = display;
    request.claimsLocales = param(ctx, 'claims_locales')?.split(' ').filter(Boolean);
    if (request.maxAge === undefined && client.defaultMaxAge !== undefined) request.maxAge = client.defaultMaxAge;

    const claims = param(ctx, 'claims');
    if (claims !== undefined) {
      request.claims = this.withinClientScopes(parseClaimsRequest(claims), client);
      // §5.5.1.1: an acr requested through claims is honoured like acr_values (essential: must be met).
      const acr = requestedAcr(request.claims);
      if (acr?.values.length) request.acrValues = [...new Set([...(essentialAcrValues(request.claims) ?? acr.values), ...(request.acrValues ?? [])])];
    }

    const hint = param(ctx, 'id_token_hint');
    if (hint !== undefined) request.idTokenHintSub = await this.verifyHint(hint, client.clientId);
  }

  /**
   * The claims a client may ask for by name: those its allowed scopes could release, custom claims
   * that belong to no scope (TESSERA_SCOPES `claims`), and the protocol claims the request may
   * constrain (acr, auth_time, sub). Anything else, unknown claims included (§5.5: not
   * understood, ignored), is dropped before consent sees it: naming `email` must not get around
   * a client that is not allowed the `email` scope.
   */
  private withinClientScopes(request: ClaimsRequest, client: Client): ClaimsRequest {
    const allowed = this.registry.claimsForScopes(client.scopes.map((s) => s.scope));
    const keep = (name: string) => {
      const base = name.split('#')[0];
      return REQUESTABLE_PROTOCOL_CLAIMS.has(name) || allowed.has(base) || (this.registry.isKnownClaim(base) && !this.claimsOfSomeScope.has(base));
    };
    const filter = (member: ClaimsRequest['userinfo']) => member && Object.fromEntries(Object.entries(member).filter(([name]) => keep(name)));
    return { userinfo: filter(request.userinfo), id_token: filter(request.id_token) };
  }

  /** §3.1.2.1: an ID token we issued to this client earlier; expired is fine, forged is not. */
  private async verifyHint(hint: string, clientId: string): Promise<string> {
    try {
      const verified = await verifyIdTokenHint(hint, { issuer: this.config.issuer, keys: (await this.keys.jwks()).keys as never, currentDate: new Date(this.clock()) });
      if (!verified.aud.includes(clientId)) throw new InvalidRequestError('id_token_hint was issued to another client.');
      return verified.sub;
    } catch (err) {
      if (err instanceof IdTokenHintError) throw new InvalidRequestError('id_token_hint is not an ID token issued by this server.', { detail: err.message });
      throw err;
    }
  }
}
