import { Inject, Module, type DynamicModule, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { HealthRegistry, databaseTarget, migrate, openDataSource, type PlatformConfig, PLATFORM_CONFIG } from '@tessera/runtime';
import { AUTH_SERVICE_DATA_SOURCE } from '../auth-service.tokens';
import { AUTH_SERVICE_DATABASE } from './database';

/** Opens the authentication service's own database, migrates it, and reports it to the readiness check. */
@Module({})
export class AuthServiceDatabaseModule implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(AUTH_SERVICE_DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly health: HealthRegistry,
  ) {}

  static forRoot(): DynamicModule {
    return {
      module: AuthServiceDatabaseModule,
      providers: [
        {
          provide: AUTH_SERVICE_DATA_SOURCE,
          inject: [PLATFORM_CONFIG],
          useFactory: async (config: PlatformConfig) => {
            const dataSource = await openDataSource(AUTH_SERVICE_DATABASE, databaseTarget(AUTH_SERVICE_DATABASE.service, config.dataDir, config.databaseUrl));
            await migrate(dataSource);
            return dataSource;
          },
        },
      ],
      exports: [AUTH_SERVICE_DATA_SOURCE],
    };
  }

  onModuleInit() {
    this.health.register('auth-service.database', async () => {
      await this.dataSource.query('SELECT 1');
    });
  }

  async onApplicationShutdown() {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
