import { Inject, Module, type DynamicModule, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { HealthRegistry, databaseTarget, migrate, openDataSource, type PlatformConfig, PLATFORM_CONFIG } from '@tessera/runtime';
import { ADMIN_API_DATA_SOURCE } from '../admin-api.tokens';
import { ADMIN_API_DATABASE } from './database';

/** Opens the admin API's own database, migrates it, and reports it to the readiness check. */
@Module({})
export class AdminApiDatabaseModule implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(ADMIN_API_DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly health: HealthRegistry,
  ) {}

  static forRoot(): DynamicModule {
    return {
      module: AdminApiDatabaseModule,
      providers: [
        {
          provide: ADMIN_API_DATA_SOURCE,
          inject: [PLATFORM_CONFIG],
          useFactory: async (config: PlatformConfig) => {
            const dataSource = await openDataSource(ADMIN_API_DATABASE, databaseTarget(ADMIN_API_DATABASE.service, config.dataDir, config.databaseUrl));
            await migrate(dataSource);
            return dataSource;
          },
        },
      ],
      exports: [ADMIN_API_DATA_SOURCE],
    };
  }

  onModuleInit() {
    this.health.register('admin-api.database', async () => {
      await this.dataSource.query('SELECT 1');
    });
  }

  async onApplicationShutdown() {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
