/** The admin API alone (distributed mode): `node dist/apps/admin-api/main.js`. */
import { launch } from '@tessera/runtime';
import { AdminApiModule, adminApiConfigSchema } from '@tessera/admin-api';

void launch({
  name: 'admin-api',
  schemas: [adminApiConfigSchema],
  modules: ({ config, secrets }, [adminEnv]) => [AdminApiModule.forRoot({ env: adminEnv, internalSecret: secrets.internalSecret, redisUrl: config.redisUrl })],
});
