import { Controller, Get, Inject, Options, Res, UseFilters } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ClientAuthenticator } from '../../client-auth/client-authenticator';
import { ASSERTION_ALGS } from '../../clients/client-metadata';
import { RESPONSE_TYPES, SIGNING_ALGS, SUBJECT_TYPES } from '../../clients/client';
import { ACR_VALUES } from '../../oidc/acr';
import { SCOPE_REGISTRY } from '../../token-service.tokens';
import type { ScopeRegistry } from '@tessera/scopes';
import { TOKEN_SERVICE_CONFIG, type TokenServiceConfig } from '../../config/token-service-config';
import { TokenEndpointService } from '../../grants/token-endpoint.service';
import { RESPONSE_MODES } from '../../authorize/steps/check-response-mode.step';
import { allowCors, answerPreflight } from '../cors';
import { OAuthErrorFilter } from '../oauth-error.filter';
import { endpointUrl } from './endpoints';

/**
 * RFC 8414 and OpenID Connect Discovery 1.0 metadata, listing exactly what this server
 * supports today: grant types come from the registered grant handlers, auth methods from the
 * client-auth registry.
 */
@Controller('.well-known')
@UseFilters(OAuthErrorFilter)
export class DiscoveryController {
  private document?: Record<string, unknown>;

  constructor(
    private readonly tokens: TokenEndpointService,
    private readonly authenticator: ClientAuthenticator,
    @Inject(TOKEN_SERVICE_CONFIG) private readonly config: TokenServiceConfig,
    @Inject(SCOPE_REGISTRY) private readonly registry: ScopeRegistry,
  ) {}

  @Get('oauth-authorization-server')
  oauth(@Res() reply: FastifyReply) {
    this.send(reply);
  }

  @Get('openid-configuration')
  openid(@Res() reply: FastifyReply) {
    this.send(reply);
  }

  @Options(['oauth-authorization-server', 'openid-configuration'])
  preflight(@Res() reply: FastifyReply) {
    answerPreflight(reply, 'GET');
  }

  private send(reply: FastifyReply) {
    void allowCors(reply).header('cache-control', 'public, max-age=300').send((this.document ??= this.build()));
  }

  private build(): Record<string, unknown> {
    const issuer = this.config.issuer;
    const authenticating = this.authenticator.supportedMethods;
    const confidential = authenticating.filter((m) => m !== 'none');
    const document: Record<string, unknown> = {
      issuer,
      authorization_endpoint: endpointUrl(issuer, 'authorize'),
      token_endpoint: endpointUrl(issuer, 'token'),
      userinfo_endpoint: endpointUrl(issuer, 'userinfo'),
      jwks_uri: endpointUrl(issuer, 'jwks'),
      ...(this.config.registration !== 'off' ? { registration_endpoint: endpointUrl(issuer, 'register') } : {}),
      introspection_endpoint: endpointUrl(issuer, 'introspect'),
      revocation_endpoint: endpointUrl(issuer, 'revoke'),
      // The token endpoint's grants, plus implicit, which the authorization endpoint serves (to the
      // clients an administrator enabled it for): OpenID Connect Discovery §3.
      grant_types_supported: [...this.tokens.grantTypes, 'implicit'],
      response_types_supported: [...RESPONSE_TYPES],
      response_modes_supported: [...RESPONSE_MODES],
      subject_types_supported: [...SUBJECT_TYPES],
      id_token_signing_alg_values_supported: [...SIGNING_ALGS],
      userinfo_signing_alg_values_supported: [...SIGNING_ALGS],
      acr_values_supported: [...ACR_VALUES],
      display_values_supported: ['page', 'popup', 'touch', 'wap'],
      claim_types_supported: ['normal'],
      claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'nonce', 'acr', 'amr', 'azp', 'sid', ...this.registry.supportedClaims().filter((c) => c !== 'sub')],
      claims_parameter_supported: true,
      code_challenge_methods_supported: ['S256'],
      // RFC 9207: every authorization response carries iss.
      authorization_response_iss_parameter_supported: true,
      prompt_values_supported: ['none', 'login', 'consent', 'select_account'],
      request_parameter_supported: true,
      request_uri_parameter_supported: true,
      // Only request URIs the client pre-registered are fetched (OpenID Connect Discovery §3).
      require_request_uri_registration: true,
      request_object_signing_alg_values_supported: ASSERTION_ALGS.filter((alg) => alg !== 'none'),
      pushed_authorization_request_endpoint: endpointUrl(issuer, 'par'),
      require_pushed_authorization_requests: this.config.requirePushedAuthorizationRequests,
      token_endpoint_auth_methods_supported: authenticating,
      token_endpoint_auth_signing_alg_values_supported: ASSERTION_ALGS,
      introspection_endpoint_auth_methods_supported: confidential,
      introspection_endpoint_auth_signing_alg_values_supported: ASSERTION_ALGS,
      introspection_signing_alg_values_supported: ['RS256'],
      revocation_endpoint_auth_methods_supported: authenticating,
      revocation_endpoint_auth_signing_alg_values_supported: ASSERTION_ALGS,
      access_token_signing_alg_values_supported: SIGNING_ALGS,
      // OpenID Connect Back-Channel Logout 1.0 §2.1: logout tokens carry sid whenever the logout ends a session.
      backchannel_logout_supported: true,
      backchannel_logout_session_supported: true,
      // OpenID Connect RP-Initiated Logout 1.0 §2.1 and Front-Channel Logout 1.0 §3 (iss and sid
      // in the iframe URL for clients that require them; sid is in every ID token).
      end_session_endpoint: endpointUrl(issuer, 'logout'),
      frontchannel_logout_supported: true,
      frontchannel_logout_session_supported: true,
      scopes_supported: [...new Set(['openid', ...this.registry.supportedScopes(), ...this.config.registrationScopes])],
    };
    return Object.fromEntries(Object.entries(document).filter(([, v]) => v !== undefined));
  }
}
