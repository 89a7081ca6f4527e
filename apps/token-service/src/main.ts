/** The token service alone (distributed mode): `node dist/apps/token-service/main.js`. */
import { launch } from '@tessera/runtime';
import { TokenServiceModule, tokenServiceConfigSchema } from '@tessera/token-service';

void launch({
  name: 'token-service',
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
