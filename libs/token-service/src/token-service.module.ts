import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { BACKCHANNEL_QUEUE, EventsModule } from '@tessera/events';
import { ownInternalUrl, PLATFORM_CONFIG, type PlatformConfig } from '@tessera/runtime';
import { AccessRevocationTypeormStore } from './adapters/typeorm/access-revocation.typeorm-store';
import { AccessTokenTypeormStore, RevokedTokenTypeormStore } from './adapters/typeorm/access-token.typeorm-store';
import { AuthorizationCodeTypeormStore } from './adapters/typeorm/authorization-code.typeorm-store';
import { ClientTypeormStore } from './adapters/typeorm/client.typeorm-store';
import { TOKEN_SERVICE_DATA_SOURCE, TypeormUnitOfWork } from './adapters/typeorm/data-source';
import { GrantTypeormStore } from './adapters/typeorm/grant.typeorm-store';
import { RefreshTokenTypeormStore } from './adapters/typeorm/refresh-token.typeorm-store';
import { ReplayCacheTypeormStore } from './adapters/typeorm/replay-cache.typeorm-store';
import { ResourceServerTypeormStore } from './adapters/typeorm/resource-server.typeorm-store';
import { SigningKeyTypeormStore } from './adapters/typeorm/signing-key.typeorm-store';
import { BackchannelDeliveryTypeormStore } from './adapters/typeorm/backchannel-delivery.typeorm-store';
import { BackchannelLogoutConsumer } from './consumers/backchannel-logout.consumer';
import { InternalBackchannelDeliveriesController } from './http/internal/backchannel-deliveries.controller';
import { BackchannelLogoutService, backchannelRetryPolicy } from './logout/backchannel-logout.service';
import { BackchannelDeliveryStore } from './ports/backchannel-delivery.store';
import { OpSessionTypeormStore } from './adapters/typeorm/op-session.typeorm-store';
import { AuthorizationFlowService } from './authorize/authorization-flow.service';
import { AUTHORIZE_STEPS, AuthorizePipeline } from './authorize/pipeline';
import { CLIENT_AUTH_METHODS } from './client-auth/client-auth-method';
import { ClientAuthenticator } from './client-auth/client-authenticator';
import { ClientSecretBasicClientAuth } from './client-auth/client-secret-basic.client-auth';
import { ClientSecretPostClientAuth } from './client-auth/client-secret-post.client-auth';
import { NoneClientAuth } from './client-auth/none.client-auth';
import { PrivateKeyJwtClientAuth } from './client-auth/private-key-jwt.client-auth';
import { ClientsService } from './clients/clients.service';
import { CLOCK, type Clock } from './clock';
import { TOKEN_SERVICE_CONFIG, toTokenServiceConfig, type TokenServiceEnv } from './config/token-service-config';
import { ClientRevokedConsumer } from './consumers/client-revoked.consumer';
import { GrantRevokedConsumer } from './consumers/grant-revoked.consumer';
import { PasswordChangedConsumer } from './consumers/password-changed.consumer';
import { RevocationRequestedConsumer } from './consumers/revocation-requested.consumer';
import { UserDeletedConsumer } from './consumers/user-deleted.consumer';
import { TokenServiceDatabaseModule } from './database.module';
import { AuthorizationCodeGrantHandler } from './grants/authorization-code.grant';
import { ClientCredentialsGrantHandler } from './grants/client-credentials.grant';
import { AdminScopePolicy } from './grants/admin-scope.policy';
import { AdminBootstrapService } from './clients/admin-bootstrap.service';
import { PortalBootstrapService } from './clients/portal-bootstrap.service';
import { GRANT_HANDLERS } from './grants/grant-handler';
import { PasswordGrantHandler } from './grants/password.grant';
import { RefreshTokenGrantHandler } from './grants/refresh-token.grant';
import { TokenEndpointService } from './grants/token-endpoint.service';
import { HousekeepingService } from './housekeeping.service';
import { InternalClientsController } from './http/internal/clients.controller';
import { InternalApiGuard } from './http/internal/internal-api.guard';
import { InternalKeysController } from './http/internal/keys.controller';
import { InternalResourceServersController } from './http/internal/resource-servers.controller';
import { OAuthErrorFilter } from './http/oauth-error.filter';
import { DiscoveryController } from './http/public/discovery.controller';
import { IntrospectController } from './http/public/introspect.controller';
import { JwksController } from './http/public/jwks.controller';
import { RegisterController } from './http/public/register.controller';
import { RevokeController } from './http/public/revoke.controller';
import { TokenController } from './http/public/token.controller';
import { AuthorizeController } from './http/public/authorize.controller';
import { InternalChallengesController } from './http/internal/challenges.controller';
import { InternalGrantsController } from './http/internal/grants.controller';
import { InternalOpSessionsController } from './http/internal/op-sessions.controller';
import { InternalDeadLettersController } from './http/internal/dead-letters.controller';
import { InternalScopesController } from './http/internal/scopes.controller';
import { InternalInitialAccessTokensController } from './http/internal/initial-access-tokens.controller';
import { InitialAccessTokensService } from './clients/initial-access-tokens.service';
import { InitialAccessTokenStore } from './ports/initial-access-token.store';
import { InitialAccessTokenTypeormStore } from './adapters/typeorm/initial-access-token.typeorm-store';
import { InternalTokensController } from './http/internal/tokens.controller';
import { GrantsService } from './grants/grants.service';
import { ChallengesService } from './interaction/challenges.service';
import { OpSessionStore } from './ports/op-session.store';
import { OpSessionsService } from './sessions/op-sessions.service';
import { LogoutRequestTypeormStore } from './adapters/typeorm/logout-request.typeorm-store';
import { SessionEndedConsumer } from './consumers/session-ended.consumer';
import { EndSessionController } from './http/public/end-session.controller';
import { LogoutRequestStore } from './ports/logout-request.store';
import { EndSessionRequestService } from './sessions/end-session-request.service';
import { FrontChannelLogoutService } from './sessions/front-channel-logout.service';
import { LogoutConfirmationsService } from './sessions/logout-confirmations.service';
import { OpSessionEndingService } from './sessions/op-session-ending.service';
import { SigningKeysService } from './keys/signing-keys.service';
import { AccessRevocationStore } from './ports/access-revocation.store';
import { AccessTokenStore, RevokedTokenStore } from './ports/access-token.store';
import { AuthorizationCodeStore } from './ports/authorization-code.store';
import { ClientStore } from './ports/client.store';
import { GrantStore } from './ports/grant.store';
import { RefreshTokenStore } from './ports/refresh-token.store';
import { ReplayCache } from './ports/replay-cache';
import { ResourceServerStore } from './ports/resource-server.store';
import { SigningKeyStore } from './ports/signing-key.store';
import { UnitOfWork } from './ports/unit-of-work';
import { ResourceServersService } from './resources/resource-servers.service';
import { AccessRevocationService } from './revocations/access-revocation.service';
import { AccessTokensService } from './tokens/access-tokens.service';
import { IntrospectionService } from './tokens/introspection.service';
import { RevocationService } from './tokens/revocation.service';
import { TokenFamiliesService } from './tokens/token-families.service';
import { TokenInspectorService } from './tokens/token-inspector.service';
import { INTERNAL_SECRET, OUTBOUND_HTTP, SCOPE_REGISTRY } from './token-service.tokens';
import { OutboundHttpClient } from '@tessera/runtime';
import { PushedRequestTypeormStore } from './adapters/typeorm/pushed-request.typeorm-store';
import { PushedRequestsService } from './authorize/pushed-requests.service';
import { ClientKeysService } from './clients/client-keys.service';
import { RequestObjectsService } from './authorize/request-objects.service';
import { ParController } from './http/public/par.controller';
import { PushedRequestStore } from './ports/pushed-request.store';
import { ScopeRegistry, type ScopeRegistryOptions } from '@tessera/scopes';
import { AuthServiceClaimsSource } from './adapters/http/auth-service-claims.source';
import { AuthServiceCredentialCheck } from './adapters/http/auth-service-credential-check';
import { CredentialCheck } from './ports/credential-check';
import { ServiceSecretTypeormStore } from './adapters/typeorm/service-secret.typeorm-store';
import { UserClaimsService } from './claims/user-claims.service';
import { UserUpdatedConsumer } from './consumers/user-updated.consumer';
import { UserinfoController } from './http/public/userinfo.controller';
import { IdTokensService } from './oidc/id-tokens.service';
import { SubjectsService } from './oidc/subjects.service';
import { UserinfoService } from './oidc/userinfo.service';
import { ServiceSecretStore } from './ports/service-secret.store';
import { UserClaimsSource } from './ports/user-claims.source';
import type { TokenServiceConfig } from './config/token-service-config';

export interface TokenServiceModuleOptions {
  env: TokenServiceEnv;
  internalSecret: string;
  /** The generated bootstrap initial access token, when the environment gives none. */
  registrationToken?: string;
  /** Distributed mode: BullMQ queues and Redis pub/sub for this service's events. */
  redisUrl?: string;
  /** The queues' and channels' namespace in Redis (default `tessera`): tests take one of their own. */
  redisPrefix?: string;
  clock?: Clock;
  /**
   * Where users' claims come from. Default: the authentication service's internal API
   * (TESSERA_AUTH_SERVICE_URL, else this platform's own internal listener).
   */
  userClaims?: UserClaimsSource;
  /**
   * Checks the resource owner's credentials for the password grant. Default: the authentication
   * service's internal API (TESSERA_AUTH_SERVICE_URL, else this platform's own internal listener).
   */
  credentialCheck?: CredentialCheck;
  /** The outbound HTTP client (tests pass one that trusts their TLS server's certificate). */
  outbound?: OutboundHttpClient;
}

/** Binds a port (abstract class) to its TypeORM adapter over the service's DataSource. */
const store = <T>(port: abstract new (...args: never[]) => T, adapter: new (ds: DataSource) => T): Provider => ({
  provide: port,
  inject: [TOKEN_SERVICE_DATA_SOURCE],
  useFactory: (ds: DataSource) => new adapter(ds),
});

/** Client authentication methods: adding one is adding a file and a line here. */
const CLIENT_AUTH = [ClientSecretBasicClientAuth, ClientSecretPostClientAuth, PrivateKeyJwtClientAuth, NoneClientAuth];
/** Grant types: adding one is adding a file and a line here. */
const GRANTS = [ClientCredentialsGrantHandler, AuthorizationCodeGrantHandler, RefreshTokenGrantHandler, PasswordGrantHandler];

/** The OAuth 2.0 Authorization Server: run alone (apps/token-service) or inside the platform. */
@Module({})
export class TokenServiceModule {
  static forRoot(options: TokenServiceModuleOptions): DynamicModule {
    const database = TokenServiceDatabaseModule.forRoot();
    return {
      module: TokenServiceModule,
      imports: [
        database,
        EventsModule.forService({
          service: 'token-service',
          dataSourceProvider: TOKEN_SERVICE_DATA_SOURCE,
          redisUrl: options.redisUrl,
          redisPrefix: options.redisPrefix,
          retryByEvent: {
            'logout.backchannel.requested': backchannelRetryPolicy({
              attempts: options.env.TESSERA_BACKCHANNEL_ATTEMPTS,
              retryMs: options.env.TESSERA_BACKCHANNEL_RETRY_MS,
            }),
          },
          concurrency: { [BACKCHANNEL_QUEUE]: options.env.TESSERA_BACKCHANNEL_CONCURRENCY },
        }),
      ],
      controllers: [
        DiscoveryController,
        AuthorizeController,
        EndSessionController,
        TokenController,
        UserinfoController,
        ParController,
        IntrospectController,
        RevokeController,
        JwksController,
        RegisterController,
        InternalClientsController,
        InternalResourceServersController,
        InternalKeysController,
        InternalChallengesController,
        InternalGrantsController,
        InternalTokensController,
        InternalBackchannelDeliveriesController,
        InternalOpSessionsController,
        InternalDeadLettersController,
        InternalScopesController,
        InternalInitialAccessTokensController,
      ],
      providers: [
        { provide: CLOCK, useValue: options.clock ?? Date.now },
        { provide: INTERNAL_SECRET, useValue: options.internalSecret },
        AdminScopePolicy,
        AdminBootstrapService,
        PortalBootstrapService,
        InitialAccessTokensService,
        {
          provide: TOKEN_SERVICE_CONFIG,
          inject: [PLATFORM_CONFIG],
          useFactory: (platform: PlatformConfig) => toTokenServiceConfig(options.env, platform.issuer, options.registrationToken),
        },
        { provide: UnitOfWork, inject: [TOKEN_SERVICE_DATA_SOURCE], useFactory: (ds: DataSource) => new TypeormUnitOfWork(ds) },
        store(ClientStore, ClientTypeormStore),
        store(ResourceServerStore, ResourceServerTypeormStore),
        store(AccessTokenStore, AccessTokenTypeormStore),
        store(RevokedTokenStore, RevokedTokenTypeormStore),
        store(GrantStore, GrantTypeormStore),
        store(AuthorizationCodeStore, AuthorizationCodeTypeormStore),
        store(RefreshTokenStore, RefreshTokenTypeormStore),
        store(SigningKeyStore, SigningKeyTypeormStore),
        store(ReplayCache, ReplayCacheTypeormStore),
        store(OpSessionStore, OpSessionTypeormStore),
        store(InitialAccessTokenStore, InitialAccessTokenTypeormStore),
        store(LogoutRequestStore, LogoutRequestTypeormStore),
        store(ServiceSecretStore, ServiceSecretTypeormStore),
        store(PushedRequestStore, PushedRequestTypeormStore),
        store(BackchannelDeliveryStore, BackchannelDeliveryTypeormStore),
        store(AccessRevocationStore, AccessRevocationTypeormStore),
        {
          provide: OUTBOUND_HTTP,
          inject: [TOKEN_SERVICE_CONFIG],
          useFactory: (config: TokenServiceConfig) =>
            options.outbound ?? new OutboundHttpClient({ allowPrivateAddresses: config.outboundAllowPrivate, allowHttp: config.outboundAllowPrivate }),
        },
        PushedRequestsService,
        ClientKeysService,
        RequestObjectsService,
        {
          provide: SCOPE_REGISTRY,
          inject: [TOKEN_SERVICE_CONFIG],
          useFactory: (config: TokenServiceConfig) => new ScopeRegistry(config.customScopes as ScopeRegistryOptions),
        },
        {
          provide: UserClaimsSource,
          inject: [TOKEN_SERVICE_CONFIG, PLATFORM_CONFIG],
          useFactory: (config: TokenServiceConfig, platform: PlatformConfig) =>
            options.userClaims ?? new AuthServiceClaimsSource(config.authServiceUrl ?? ownInternalUrl(platform), options.internalSecret),
        },
        {
          provide: CredentialCheck,
          inject: [TOKEN_SERVICE_CONFIG, PLATFORM_CONFIG],
          useFactory: (config: TokenServiceConfig, platform: PlatformConfig) =>
            options.credentialCheck ?? new AuthServiceCredentialCheck(config.authServiceUrl ?? ownInternalUrl(platform), options.internalSecret),
        },
        UserClaimsService,
        SubjectsService,
        IdTokensService,
        UserinfoService,
        ...AUTHORIZE_STEPS,
        AuthorizePipeline,
        AuthorizationFlowService,
        ChallengesService,
        OpSessionsService,
        OpSessionEndingService,
        EndSessionRequestService,
        LogoutConfirmationsService,
        FrontChannelLogoutService,
        GrantsService,
        ...CLIENT_AUTH,
        { provide: CLIENT_AUTH_METHODS, inject: CLIENT_AUTH, useFactory: (...methods: unknown[]) => methods },
        ...GRANTS,
        { provide: GRANT_HANDLERS, inject: GRANTS, useFactory: (...handlers: unknown[]) => handlers },
        ClientAuthenticator,
        ClientsService,
        ResourceServersService,
        SigningKeysService,
        AccessTokensService,
        TokenInspectorService,
        IntrospectionService,
        RevocationService,
        TokenFamiliesService,
        AccessRevocationService,
        TokenEndpointService,
        HousekeepingService,
        ClientRevokedConsumer,
        GrantRevokedConsumer,
        PasswordChangedConsumer,
        UserDeletedConsumer,
        UserUpdatedConsumer,
        SessionEndedConsumer,
        RevocationRequestedConsumer,
        BackchannelLogoutService,
        BackchannelLogoutConsumer,
        InternalApiGuard,
        OAuthErrorFilter,
      ],
    };
  }
}
