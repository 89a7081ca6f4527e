import 'reflect-metadata';
import { Module, type DynamicModule } from '@nestjs/common';
import type { z } from 'zod';
import { ConfigError, parseEnv, platformConfigSchema, toPlatformConfig, type PlatformConfig } from './config/platform-config';
import { createHttpApp, type RunningHttpApp } from './http/http-app';
import { createLogger } from './logging/logger';
import { METRICS_PATH } from './metrics/metrics-registry';
import { RuntimeModule } from './runtime.module';
import { ensureSecretFile, randomSecret } from './secrets/data-dir-secrets';

/** The secrets a platform needs to start; from the environment, else generated into the data dir. */
export interface BootstrapSecrets {
  masterKey: string;
  internalSecret: string;
  registrationToken?: string;
  /** Where generated secrets live (paths only: the values are never printed). */
  files: string[];
}

export interface LaunchContext {
  config: PlatformConfig;
  secrets: BootstrapSecrets;
}

export interface LaunchOptions<S extends readonly z.ZodObject<z.ZodRawShape>[]> {
  name: string;
  schemas: S;
  modules: (ctx: LaunchContext, envs: { [K in keyof S]: z.infer<S[K]> }) => DynamicModule[];
  env?: NodeJS.ProcessEnv;
}

export function bootstrapSecrets(config: PlatformConfig, env: NodeJS.ProcessEnv): BootstrapSecrets {
  const files: string[] = [];
  const fromFile = (name: string, generate: () => string) => {
    const secret = ensureSecretFile(config.dataDir, name, generate);
    files.push(secret.path);
    return secret.value;
  };
  return {
    masterKey: config.masterKey ?? fromFile('master.key', () => randomSecret(32)),
    internalSecret: config.internalSecret ?? fromFile('internal.secret', () => randomSecret(32)),
    registrationToken:
      env['TESSERA_REGISTRATION_TOKEN'] || (env['TESSERA_REGISTRATION'] ?? 'token') === 'token'
        ? (env['TESSERA_REGISTRATION_TOKEN'] ?? fromFile('registration.token', () => `tsr_iat_${randomSecret(32)}`))
        : undefined,
    files,
  };
}

/**
 * Starts a Tessera process: validates every setting (one message listing each bad one, then
 * exit), loads or creates the bootstrap secrets, and serves the given service modules on the
 * public and internal listeners until SIGTERM/SIGINT.
 */
export async function launch<const S extends readonly z.ZodObject<z.ZodRawShape>[]>(options: LaunchOptions<S>): Promise<RunningHttpApp> {
  const env = options.env ?? process.env;
  // Everything the platform writes (SQLite files, generated secrets, mail) is for its owner only.
  process.umask(0o077);
  let parsed;
  try {
    parsed = parseEnv(env, platformConfigSchema, ...options.schemas);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`tessera ${options.name}: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const [platformEnv, ...serviceEnvs] = parsed as unknown as [z.infer<typeof platformConfigSchema>, ...unknown[]];
  const config = toPlatformConfig(platformEnv);
  const logger = createLogger(config.logLevel);
  const secrets = bootstrapSecrets(config, env);
  const ctx: LaunchContext = { config, secrets };

  @Module({
    imports: [
      RuntimeModule.forRoot({ config, logger, masterKey: secrets.masterKey, service: options.name }),
      ...options.modules(ctx, serviceEnvs as { [K in keyof S]: z.infer<S[K]> }),
    ],
  })
  class RootModule {}

  // No app.enableShutdownHooks(): the handlers below close the app (its destroy and shutdown hooks
  // run in close()); Nest's own would run them a second time, concurrently, and end the process
  // by re-raising the signal (exit 143) instead of exiting 0 once requests in flight are answered.
  const { listen } = await createHttpApp(RootModule, { logger });
  const running = await listen({ host: config.host, port: config.port, internalHost: config.internalHost, internalPort: config.internalPort });
  logger.info(
    {
      issuer: config.issuer,
      publicUrl: running.publicUrl,
      internalUrl: running.internalUrl,
      metricsUrl: `${running.internalUrl}${METRICS_PATH}`,
      metricsAuth: config.metricsToken ? 'bearer' : 'none',
      database: config.databaseUrl ? 'postgresql' : `sqlite in ${config.dataDir}`,
      queue: config.redisUrl ? 'redis' : 'in-process',
      secretFiles: secrets.files,
    },
    `tessera ${options.name} is ready`,
  );
  // A person running `npm start` reads this line, not the JSON log.
  process.stdout.write(
    `\nTessera ${options.name} is running.\n  Issuer:           ${config.issuer}\n  Discovery:        ${config.issuer}/.well-known/openid-configuration\n  Internal API:     ${running.internalUrl}${isLoopback(config.internalHost) ? ' (loopback only)' : ''}\n  Metrics:          ${running.internalUrl}${METRICS_PATH} (Prometheus)\n` +
      (secrets.files.length ? `  Bootstrap secrets: stored in ${secrets.files.join(', ')} (mode 0600)\n` : '') +
      '\n',
  );
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    await running.close();
    logger.flush?.();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
  return running;
}

const isLoopback = (host: string) => host === 'localhost' || host === '::1' || host.startsWith('127.');
