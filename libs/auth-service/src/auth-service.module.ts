import { Module, type DynamicModule } from '@nestjs/common';
import { PassportModule } from '@nestjs/passport';
import { EventsModule } from '@tessera/events';
import { PLATFORM_CONFIG, type PlatformConfig } from '@tessera/runtime';
import { AUTH_CLOCK, AUTH_INTERNAL_SECRET, AUTH_SERVICE_DATA_SOURCE, type Clock } from './auth-service.tokens';
import { LoginSessionStrategy } from './authenticators/login-session.strategy';
import { PasswordStrategy } from './authenticators/password.strategy';
import { AUTH_SERVICE_CONFIG, toAuthServiceConfig, type AuthServiceConfig, type AuthServiceEnv } from './config/auth-service-config';
import { AuthServiceDatabaseModule } from './database/database.module';
import { ConsentController } from './flows/consent.controller';
import { LoginController } from './flows/login.controller';
import { LoginFlowService } from './flows/login-flow.service';
import { LoginMethods } from './flows/login-methods';
import { CsrfController } from './http/csrf.controller';
import { CsrfGuard } from './http/csrf.guard';
import { FlowErrorFilter } from './http/flow-error.filter';
import { InternalCredentialsController } from './internal/credentials.controller';
import { AuthInternalApiGuard } from './internal/internal-api.guard';
import { InternalUsersController } from './internal/users.controller';
import { SecondFactors } from './mfa/second-factors';
import { PasswordHasher } from './passwords/password-hasher';
import { PasswordPolicy } from './passwords/password-policy';
import { LoginSessionsService } from './sessions/login-sessions.service';
import { DatabaseLoginThrottle } from './throttle/database-login-throttle';
import { LoginThrottle } from './throttle/login-throttle';
import { TokenServiceClient } from './token-service/token-service.client';
import { BootstrapAdminService } from './users/bootstrap-admin.service';
import { UsersService } from './users/users.service';

export interface AuthServiceModuleOptions {
  env: AuthServiceEnv;
  internalSecret: string;
  /** Distributed mode: BullMQ queues and Redis pub/sub for this service's events. */
  redisUrl?: string;
  clock?: Clock;
  /** Tests: a cheaper argon2id (the production parameters cost ~25 ms a hash). */
  passwordHasher?: PasswordHasher;
}

/** The authentication service: run alone (apps/auth-service) or inside the platform. */
@Module({})
export class AuthServiceModule {
  static forRoot(options: AuthServiceModuleOptions): DynamicModule {
    return {
      module: AuthServiceModule,
      imports: [
        AuthServiceDatabaseModule.forRoot(),
        EventsModule.forService({ service: 'auth-service', dataSourceProvider: AUTH_SERVICE_DATA_SOURCE, redisUrl: options.redisUrl }),
        PassportModule,
      ],
      controllers: [LoginController, ConsentController, CsrfController, InternalUsersController, InternalCredentialsController],
      providers: [
        { provide: AUTH_CLOCK, useValue: options.clock ?? Date.now },
        { provide: AUTH_INTERNAL_SECRET, useValue: options.internalSecret },
        {
          provide: AUTH_SERVICE_CONFIG,
          inject: [PLATFORM_CONFIG],
          useFactory: (platform: PlatformConfig) => toAuthServiceConfig(options.env, platform.issuer, platform.dataDir),
        },
        {
          provide: TokenServiceClient,
          inject: [AUTH_SERVICE_CONFIG, PLATFORM_CONFIG],
          useFactory: (config: AuthServiceConfig, platform: PlatformConfig) => new TokenServiceClient(config.tokenServiceUrl ?? ownInternalUrl(platform), options.internalSecret),
        },
        { provide: PasswordHasher, useValue: options.passwordHasher ?? new PasswordHasher() },
        { provide: PasswordPolicy, useValue: new PasswordPolicy() },
        { provide: LoginThrottle, useClass: DatabaseLoginThrottle },
        UsersService,
        BootstrapAdminService,
        LoginSessionsService,
        SecondFactors,
        LoginMethods,
        LoginFlowService,
        PasswordStrategy,
        LoginSessionStrategy,
        CsrfGuard,
        AuthInternalApiGuard,
        FlowErrorFilter,
      ],
    };
  }
}

/** Embedded mode: the token service answers on this process's own internal listener. */
function ownInternalUrl(platform: PlatformConfig): string {
  const host = platform.internalHost === '0.0.0.0' || platform.internalHost === '::' ? '127.0.0.1' : platform.internalHost;
  return `http://${host.includes(':') ? `[${host}]` : host}:${platform.internalPort}`;
}
