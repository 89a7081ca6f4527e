import { Controller, Get, Global, HttpCode, Inject, Injectable, Module, Res, type DynamicModule } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import type { PlatformConfig } from './config/platform-config';
import { METRICS_ENDPOINT_OPTIONS, MetricsController, type MetricsEndpointOptions } from './metrics/metrics.controller';
import { MetricsRegistry } from './metrics/metrics-registry';
import { MasterKeyring } from './secrets/master-key';

export const PLATFORM_CONFIG = Symbol.for('tessera.platform-config');
export const LOGGER = Symbol.for('tessera.logger');

export type ReadinessCheck = () => Promise<void>;

/** Services register what must work before the process takes traffic (their database, ...). */
@Injectable()
export class HealthRegistry {
  private readonly checks = new Map<string, ReadinessCheck>();
  register(name: string, check: ReadinessCheck) {
    this.checks.set(name, check);
  }
  async run(): Promise<Record<string, 'up' | 'down'>> {
    const entries = await Promise.all(
      [...this.checks].map(async ([name, check]) => {
        try {
          await check();
          return [name, 'up'] as const;
        } catch {
          return [name, 'down'] as const;
        }
      }),
    );
    return Object.fromEntries(entries);
  }
}

@Controller('health')
export class HealthController {
  constructor(private readonly registry: HealthRegistry) {}

  /** Liveness: the process answers. */
  @Get('live')
  @HttpCode(200)
  live() {
    return { status: 'up' };
  }

  /** Readiness: every registered dependency (database, ...) answers. */
  @Get('ready')
  async ready(@Res() reply: FastifyReply) {
    const checks = await this.registry.run();
    const up = Object.values(checks).every((s) => s === 'up');
    void reply.code(up ? 200 : 503).header('cache-control', 'no-store').send({ status: up ? 'up' : 'down', checks });
  }
}

export interface RuntimeModuleOptions {
  config: PlatformConfig;
  logger: Logger;
  masterKey: string;
  /**
   * The process's name, as launch() was given it (`token-service`, `platform` for the
   * all-in-one): the `service` label of every metric. Default `tessera`.
   */
  service?: string;
}

/** The process-wide context every service module reads: config, logger, keyring, health, metrics. */
@Global()
@Module({})
export class RuntimeModule {
  static forRoot(options: RuntimeModuleOptions): DynamicModule {
    return {
      module: RuntimeModule,
      controllers: [HealthController, MetricsController],
      providers: [
        { provide: PLATFORM_CONFIG, useValue: options.config },
        { provide: LOGGER, useValue: options.logger },
        { provide: MasterKeyring, useValue: new MasterKeyring(options.masterKey, options.config.retiredMasterKeys) },
        HealthRegistry,
        { provide: MetricsRegistry, useValue: new MetricsRegistry({ service: options.service ?? 'tessera', logger: options.logger }) },
        { provide: METRICS_ENDPOINT_OPTIONS, useValue: { token: options.config.metricsToken } satisfies MetricsEndpointOptions },
      ],
      exports: [PLATFORM_CONFIG, LOGGER, MasterKeyring, HealthRegistry, MetricsRegistry],
    };
  }
}

export const InjectConfig = () => Inject(PLATFORM_CONFIG);
export const InjectLogger = () => Inject(LOGGER);
