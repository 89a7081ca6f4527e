/**
 * The embedded platform: every service in one process on one public port, SQLite in the data
 * directory and the in-process queue unless DATABASE_URL / REDIS_URL say otherwise.
 */
import { launch } from '@tessera/runtime';
import { AdminApiModule, adminApiConfigSchema } from '@tessera/admin-api';
import { AuthServiceModule, authServiceConfigSchema } from '@tessera/auth-service';
import { TokenServiceModule, tokenServiceConfigSchema } from '@tessera/token-service';

void launch({
  name: 'platform',
  schemas: [tokenServiceConfigSchema, authServiceConfigSchema, adminApiConfigSchema],
  modules: ({ config, secrets }, [tokenEnv, authEnv, adminEnv]) => [
    TokenServiceModule.forRoot({
      env: tokenEnv,
      internalSecret: secrets.internalSecret,
      registrationToken: secrets.registrationToken,
      redisUrl: config.redisUrl,
    }),
    AuthServiceModule.forRoot({ env: authEnv, internalSecret: secrets.internalSecret, redisUrl: config.redisUrl }),
    AdminApiModule.forRoot({ env: adminEnv, internalSecret: secrets.internalSecret, redisUrl: config.redisUrl }),
  ],
});
