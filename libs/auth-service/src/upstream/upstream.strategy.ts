import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { Strategy } from 'passport-custom';
import { AUTH_SERVICE_CONFIG, type AuthServiceConfig } from '../config/auth-service-config';
import type { UpstreamIdpEntity } from './entities/upstream-idp.entity';
import { UpstreamAuthRequests, type AuthRequest } from './upstream-auth-requests';
import { UpstreamIdpsService } from './upstream-idps.service';
import { UpstreamOidcClient, type UpstreamIdentity } from './upstream-oidc-client';
import { UpstreamRedirect } from './upstream-redirect';
import { upstreamUrls } from './upstream-urls';

export const UPSTREAM_STRATEGY = 'tessera-upstream';

/**
 * The `amr` value of a sign-in through an upstream provider. RFC 8176 registers none for
 * federation; OpenID Connect Core §2 lets parties agree on their own values, and Tessera's is
 * `fed` (the method that was used upstream is the provider's business and is not claimed here).
 */
export const AMR_FEDERATED = 'fed';

/** What an upstream callback proves: which request it answers, and who the provider says the person is. */
export interface UpstreamAuthentication {
  request: AuthRequest;
  idp: UpstreamIdpEntity;
  identity: UpstreamIdentity;
}

/**
 * The upstream callback (`GET /auth/upstream/{id}/callback`) as an authenticator: the request
 * it answers is found by `state`, must have been started by this browser and for this
 * provider, and is used up; then openid-client validates the response (`iss`, `state`), redeems
 * the code with the PKCE verifier and validates the ID token (`nonce` among the rest, and
 * `auth_time` when the client asked for a fresh or recent login).
 */
@Injectable()
export class UpstreamStrategy extends PassportStrategy(Strategy, UPSTREAM_STRATEGY) {
  constructor(
    private readonly requests: UpstreamAuthRequests,
    private readonly idps: UpstreamIdpsService,
    private readonly client: UpstreamOidcClient,
    @Inject(AUTH_SERVICE_CONFIG) private readonly config: AuthServiceConfig,
  ) {
    super();
  }

  async validate(req: FastifyRequest): Promise<UpstreamAuthentication> {
    const idpId = (req.params as { id?: string }).id ?? '';
    const request = await this.requests.consume(req, idpId, (req.query as Record<string, unknown>)['state']);
    try {
      const idp = await this.idps.requireEnabled(idpId);
      const identity = await this.client.complete(idp, queryOf(req.url), request.checks, request.createdAt);
      return { request, idp, identity };
    } catch (err) {
      throw UpstreamRedirect.from(err, returnPage(this.config.issuer, request));
    }
  }
}

/** Where the browser goes back to when an upstream sign-in it started fails. */
export function returnPage(issuer: string, request: Pick<AuthRequest, 'purpose' | 'loginChallenge'>): (params: Record<string, string>) => string {
  const urls = upstreamUrls(issuer);
  if (request.purpose === 'login' && request.loginChallenge) {
    const challenge = request.loginChallenge;
    return (params) => urls.loginPage(challenge, params);
  }
  return (params) => urls.accountPage(params);
}

const queryOf = (url: string) => {
  const q = url.indexOf('?');
  return q < 0 ? '' : url.slice(q + 1);
};
