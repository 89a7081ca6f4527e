import { Global, Module, type DynamicModule, type Provider } from '@nestjs/common';
import { PassportModule } from '@nestjs/passport';
import { EventsModule } from '@tessera/events';
import { ownInternalUrl, PLATFORM_CONFIG, type PlatformConfig } from '@tessera/runtime';
import { AccountController } from './account/account.controller';
import { AccountGuard } from './account/account.guard';
import { RecentAuthentication } from './account/recent-authentication';
import { SignInMethods } from './account/sign-in-methods';
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
import { AuthHousekeepingService } from './housekeeping.service';
import { InternalCredentialsController } from './internal/credentials.controller';
import { InternalDeadLettersController } from './internal/dead-letters.controller';
import { AuthInternalApiGuard } from './internal/internal-api.guard';
import { InternalUsersController } from './internal/users.controller';
import { SecondFactors } from './mfa/second-factors';
import { PasswordHasher } from './passwords/password-hasher';
import { PasswordPolicy } from './passwords/password-policy';
import { LoginSessionsService } from './sessions/login-sessions.service';
import { SessionOverview } from './sessions/session-overview';
import { DatabaseLoginThrottle } from './throttle/database-login-throttle';
import { LoginThrottle } from './throttle/login-throttle';
import { TokenServiceClient } from './token-service/token-service.client';
import { AccountTokenVerifier } from './account/account.guard';
import { accountApiResource } from '@tessera/scopes';
import { BootstrapAdminService } from './users/bootstrap-admin.service';
import { MasterKeyReencryptionService } from './secrets/master-key-reencryption.service';
import { UsersService } from './users/users.service';

export interface AuthCoreOptions {
  env: AuthServiceEnv;
  internalSecret: string;
  redisUrl?: string;
  /** Tests: the Redis namespace of queues and broadcasts. */
  redisPrefix?: string;
  clock?: Clock;
  passwordHasher?: PasswordHasher;
}

/** What every feature module of the service may inject (the core is global within the app). */
const SHARED: Provider[] = [
  UsersService,
  LoginSessionsService,
  SessionOverview,
  SecondFactors,
  LoginMethods,
  SignInMethods,
  LoginFlowService,
  RecentAuthentication,
  PasswordStrategy,
  LoginSessionStrategy,
  CsrfGuard,
  AccountGuard,
  AuthInternalApiGuard,
  FlowErrorFilter,
  AuthHousekeepingService,
];

/**
 * The authentication service's core: its database and events, users, passwords, login
 * sessions, the login and consent flows, the account API's base, and the internal API.
 * Global, so that the feature modules (MFA, passkeys, upstream IdPs, sign-up) can inject it.
 */
@Global()
@Module({})
export class AuthCoreModule {
  static forRoot(options: AuthCoreOptions): DynamicModule {
    const database = AuthServiceDatabaseModule.forRoot();
    const events = EventsModule.forService({ service: 'auth-service', dataSourceProvider: AUTH_SERVICE_DATA_SOURCE, redisUrl: options.redisUrl, redisPrefix: options.redisPrefix });
    return {
      module: AuthCoreModule,
      imports: [database, events, PassportModule],
      controllers: [LoginController, ConsentController, CsrfController, AccountController, InternalUsersController, InternalCredentialsController, InternalDeadLettersController],
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
        {
          provide: AccountTokenVerifier,
          inject: [AUTH_SERVICE_CONFIG, TokenServiceClient],
          useFactory: (config: AuthServiceConfig, tokenService: TokenServiceClient) =>
            new AccountTokenVerifier({
              issuer: config.issuer,
              audience: accountApiResource(config.issuer),
              introspection: { request: (token) => tokenService.introspect(token), cacheTtlMs: 0, allTokens: true },
            }),
        },
        { provide: PasswordHasher, useValue: options.passwordHasher ?? new PasswordHasher() },
        { provide: PasswordPolicy, useValue: new PasswordPolicy() },
        { provide: LoginThrottle, useClass: DatabaseLoginThrottle },
        BootstrapAdminService,
        MasterKeyReencryptionService,
        ...SHARED,
      ],
      exports: [
        database,
        events,
        AUTH_CLOCK,
        AUTH_INTERNAL_SECRET,
        AUTH_SERVICE_CONFIG,
        TokenServiceClient,
        AccountTokenVerifier,
        PasswordHasher,
        PasswordPolicy,
        LoginThrottle,
        ...SHARED,
      ],
    };
  }
}
