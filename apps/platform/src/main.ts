/**
 * The embedded platform: every service in one process on one public port, SQLite in the data
 * directory and the in-process queue unless DATABASE_URL / REDIS_URL say otherwise.
 */
import { launch } from '@tessera/runtime';
import { TokenServiceModule, tokenServiceConfigSchema } from '@tessera/token-service';

void launch({
  name: 'platform',
  schemas: [tokenServiceConfigSchema],
  modules: ({ config, secrets }, [tokenEnv]) => [
    TokenServiceModule.forRoot({
      env: tokenEnv,
      internalSecret: secrets.internalSecret,
      registrationToken: secrets.registrationToken,
      redisUrl: config.redisUrl,
    }),
  ],
});
