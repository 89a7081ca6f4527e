import { Inject, Module, type DynamicModule, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { HealthRegistry, databaseTarget, migrate, openDataSource, type PlatformConfig, PLATFORM_CONFIG } from '@tessera/runtime';
import { SERVICE_DATABASE } from './adapters/typeorm/database';
import { TOKEN_SERVICE_DATA_SOURCE } from './adapters/typeorm/data-source';

/** Opens the token service's own database, migrates it, and reports it to the readiness check. */
@Module({})
export class TokenServiceDatabaseModule implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(TOKEN_SERVICE_DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly health: HealthRegistry,
  ) {}

  static forRoot(): DynamicModule {
    return {
      module: TokenServiceDatabaseModule,
      providers: [
        {
          provide: TOKEN_SERVICE_DATA_SOURCE,
          inject: [PLATFORM_CONFIG],
          useFactory: async (config: PlatformConfig) => {
            const dataSource = await openDataSource(SERVICE_DATABASE, databaseTarget(SERVICE_DATABASE.service, config.dataDir, config.databaseUrl));
            await migrate(dataSource);
            return dataSource;
          },
        },
      ],
      exports: [TOKEN_SERVICE_DATA_SOURCE],
    };
  }

  onModuleInit() {
    this.health.register('token-service.database', async () => {
      await this.dataSource.query('SELECT 1');
    });
  }

  async onApplicationShutdown() {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
