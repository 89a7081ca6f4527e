/**
 * The embedded platform: every service in one process on one public port, SQLite in the data
 * directory and the in-process queue unless DATABASE_URL / REDIS_URL say otherwise, and the
 * portal's build served at the same origin (dist/apps/portal beside this bundle by default).
 */
import { launch } from '@tessera/runtime';
import { AdminApiModule, adminApiConfigSchema } from '@tessera/admin-api';
import { AuthServiceModule, authServiceConfigSchema } from '@tessera/auth-service';
import { PortalHostingModule, portalDir, portalHostingConfigSchema } from '@tessera/portal-hosting';
import { TokenServiceModule, tokenServiceConfigSchema } from '@tessera/token-service';

void launch({
  name: 'platform',
  schemas: [tokenServiceConfigSchema, authServiceConfigSchema, adminApiConfigSchema, portalHostingConfigSchema],
  modules: ({ config, secrets }, [tokenEnv, authEnv, adminEnv, portalEnv]) => [
    TokenServiceModule.forRoot({
      env: tokenEnv,
      internalSecret: secrets.internalSecret,
      registrationToken: secrets.registrationToken,
      redisUrl: config.redisUrl,
    }),
    AuthServiceModule.forRoot({ env: authEnv, internalSecret: secrets.internalSecret, redisUrl: config.redisUrl }),
    AdminApiModule.forRoot({ env: adminEnv, internalSecret: secrets.internalSecret, redisUrl: config.redisUrl }),
    // __dirname is the bundle's directory (webpack keeps Node's for a node target).
    PortalHostingModule.forRoot({ dir: portalDir(portalEnv, __dirname) }),
  ],
});
