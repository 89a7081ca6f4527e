/** The authentication service alone (distributed mode): `node dist/apps/auth-service/main.js`. */
import { launch } from '@tessera/runtime';
import { AuthServiceModule, authServiceConfigSchema } from '@tessera/auth-service';

void launch({
  name: 'auth-service',
  schemas: [authServiceConfigSchema],
  modules: ({ config, secrets }, [authEnv]) => [AuthServiceModule.forRoot({ env: authEnv, internalSecret: secrets.internalSecret, redisUrl: config.redisUrl })],
});
