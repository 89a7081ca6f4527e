// An upstream OpenID provider for the tests: oidc-provider on loopback http, in a worker thread
// (it is ESM-only, which Jest's CommonJS module system cannot load; the worker runs plain Node).
// The "login page" is a test hook: GET /interaction/{uid}?as=<base64url JSON claims> signs in
// as that account and consents (an `auth_time` among them backdates the login, as a provider's
// single sign-on session from earlier would); ?deny=1 answers access_denied.
import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
import Provider from 'oidc-provider';

const accounts = new Map();
const server = createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

const provider = new Provider(issuer, {
  clients: workerData.clients,
  jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'test-key', use: 'sig', alg: 'RS256' }] },
  cookies: { keys: ['upstream-test-cookie-key'] },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'given_name', 'family_name', 'picture', 'locale'] },
  findAccount: (_ctx, sub) => {
    const claims = accounts.get(sub);
    return claims && { accountId: sub, claims: async () => ({ ...claims, sub }) };
  },
  features: { devInteractions: { enabled: false } },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  // Every authorization request shows the "login page" (so each test picks the account): only
  // the grant the interaction just made is loaded, never one remembered from before.
  loadExistingGrant: async (ctx) => {
    const grantId = ctx.oidc.result?.consent?.grantId;
    return grantId ? ctx.oidc.provider.Grant.find(grantId) : undefined;
  },
  pkce: { required: () => true },
});
provider.on('server_error', (_ctx, err) => console.error('upstream provider error', err));

provider.use(async (ctx, next) => {
  const match = /^\/interaction\/([\w-]+)$/.exec(ctx.path);
  if (!match || ctx.method !== 'GET') return next();
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  let result;
  if (ctx.query.deny) {
    result = { error: 'access_denied', error_description: 'The person said no.' };
  } else {
    const { auth_time: ts, ...claims } = JSON.parse(Buffer.from(String(ctx.query.as), 'base64url').toString());
    accounts.set(claims.sub, claims);
    const grant = new provider.Grant({ accountId: claims.sub, clientId: details.params.client_id });
    grant.addOIDCScope(String(details.params.scope));
    result = { login: { accountId: claims.sub, ...(ts === undefined ? {} : { ts }) }, consent: { grantId: await grant.save() } };
  }
  const to = await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: false });
  ctx.redirect(to);
  ctx.status = 303;
});

server.on('request', provider.callback());
parentPort.postMessage({ issuer });
