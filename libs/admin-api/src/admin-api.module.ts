import { Module, type DynamicModule } from '@nestjs/common';
import { EventsModule } from '@tessera/events';
import { BearerTokenGuard, TokenVerifier } from '@tessera/resource-server';
import { ownInternalUrl, PLATFORM_CONFIG, type PlatformConfig } from '@tessera/runtime';
import { adminApiResource } from '@tessera/scopes';
import { ADMIN_API_CONFIG, ADMIN_API_DATA_SOURCE, ADMIN_CLOCK, type Clock } from './admin-api.tokens';
import { AuditConsumer } from './audit/audit.consumer';
import { AuditController } from './audit/audit.controller';
import { AuditLog } from './audit/audit-log';
import { AdminGuard } from './auth/admin.guard';
import { ClientsController } from './clients/clients.controller';
import { InitialAccessTokensController } from './clients/initial-access-tokens.controller';
import type { AdminApiConfig, AdminApiEnv } from './config/admin-api-config';
import { AdminApiDatabaseModule } from './database/database.module';
import { AdminHousekeepingService } from './housekeeping.service';
import { Idempotency } from './http/idempotency';
import { DeadLettersController } from './operations/dead-letters.controller';
import { DeliveriesController } from './operations/deliveries.controller';
import { KeysController } from './operations/keys.controller';
import { ScopesController } from './operations/scopes.controller';
import { UpstreamIdpsController } from './operations/upstream-idps.controller';
import { RevocationCompletedConsumer } from './revocations/revocation-completed.consumer';
import { RevocationsService } from './revocations/revocations.service';
import { AuthServiceApi, TokenServiceApi } from './upstream/internal-api';
import { UsersController } from './users/users.controller';
import { OpenApiController } from './openapi/openapi.controller';
import { OPENAPI_MODULE, OpenApiDocument } from './openapi/openapi-document';

export interface AdminApiModuleOptions {
  env: AdminApiEnv;
  internalSecret: string;
  redisUrl?: string;
  /** Tests: the Redis namespace of queues and broadcasts. */
  redisPrefix?: string;
  clock?: Clock;
}

/**
 * The admin API (`/admin/api/*`): how enterprises operate Tessera, from the admin console,
 * scripts and their own tooling. It drives the token service and the authentication service
 * through their internal APIs and events, and owns the audit log. Run alone (apps/admin-api) or
 * inside the platform.
 */
@Module({})
export class AdminApiModule {
  static forRoot(options: AdminApiModuleOptions): DynamicModule {
    const database = AdminApiDatabaseModule.forRoot();
    const events = EventsModule.forService({ service: 'admin-api', dataSourceProvider: ADMIN_API_DATA_SOURCE, redisUrl: options.redisUrl, redisPrefix: options.redisPrefix });
    return {
      module: AdminApiModule,
      imports: [database, events],
      controllers: [ClientsController, InitialAccessTokensController, UsersController, AuditController, KeysController, UpstreamIdpsController, DeliveriesController, DeadLettersController, ScopesController, OpenApiController],
      providers: [
        { provide: ADMIN_CLOCK, useValue: options.clock ?? Date.now },
        {
          provide: ADMIN_API_CONFIG,
          inject: [PLATFORM_CONFIG],
          useFactory: (platform: PlatformConfig): AdminApiConfig => ({
            issuer: platform.issuer,
            tokenServiceUrl: options.env.TESSERA_TOKEN_SERVICE_INTERNAL_URL ?? ownInternalUrl(platform),
            authServiceUrl: options.env.TESSERA_AUTH_SERVICE_INTERNAL_URL ?? ownInternalUrl(platform),
            auditRetentionDays: options.env.TESSERA_AUDIT_RETENTION_DAYS,
            trustedProxies: options.env.TESSERA_TRUSTED_PROXIES,
          }),
        },
        { provide: TokenServiceApi, inject: [ADMIN_API_CONFIG], useFactory: (c: AdminApiConfig) => new TokenServiceApi('token service', c.tokenServiceUrl, options.internalSecret) },
        { provide: AuthServiceApi, inject: [ADMIN_API_CONFIG], useFactory: (c: AdminApiConfig) => new AuthServiceApi('authentication service', c.authServiceUrl, options.internalSecret) },
        {
          // Every token is asked about at the token service (JWTs too, no cache): a revoked
          // administrator's token stops working with the next request.
          provide: TokenVerifier,
          inject: [ADMIN_API_CONFIG, TokenServiceApi],
          useFactory: (c: AdminApiConfig, tokenService: TokenServiceApi) =>
            new TokenVerifier({
              issuer: c.issuer,
              audience: adminApiResource(c.issuer),
              introspection: { request: (token) => tokenService.call('POST', '/internal/tokens/introspect', { token }), cacheTtlMs: 0, allTokens: true },
            }),
        },
        BearerTokenGuard,
        OpenApiDocument,
        { provide: OPENAPI_MODULE, useValue: AdminApiModule },
        AdminGuard,
        AuditLog,
        Idempotency,
        RevocationsService,
        AuditConsumer,
        RevocationCompletedConsumer,
        AdminHousekeepingService,
      ],
    };
  }
}
