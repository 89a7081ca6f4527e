import { internalCredential, randomSecret } from '@tessera/runtime';
import { startTokenService, type TestApp } from '../support/token-service-app';
import { call } from './internal-api.fixture';

const OLD = randomSecret(32);
const NEW = randomSecret(32);
const NEVER = randomSecret(32);

const listClients = (app: TestApp, secret: string) =>
  call(app.internalUrl, { method: 'GET', path: '/internal/clients' }, `Bearer ${internalCredential(secret, 'operator')}`);

/**
 * Rotating TESSERA_INTERNAL_SECRET one replica at a time (docs/operations.md): a replica accepts
 * the credentials of its current secret and of every one in TESSERA_INTERNAL_SECRETS_RETIRED, so
 * replicas of both generations keep calling each other; once the old secret is dropped, it is refused.
 */
describe('internal secret rotation', () => {
  // One replica at a time: an in-process event bus takes one token service per process.
  let app: TestApp | undefined;
  const replica = async (current: string, retired?: string[]) => {
    app = await startTokenService({
      internalSecret: current,
      env: retired ? { TESSERA_INTERNAL_SECRETS_RETIRED: retired.join(',') } : {},
    });
    return app;
  };
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('round 1 (old secret current, new one listed): answers callers of either generation', async () => {
    const app = await replica(OLD, [NEW]);

    expect((await listClients(app, OLD)).status).toBe(200);
    expect((await listClients(app, NEW)).status).toBe(200);
    expect((await listClients(app, NEVER)).status).toBe(401);
  });

  it('round 2 (new secret current, old one retired): still answers callers that have not restarted yet', async () => {
    const app = await replica(NEW, [OLD]);

    expect((await listClients(app, NEW)).status).toBe(200);
    expect((await listClients(app, OLD)).status).toBe(200);
    expect((await listClients(app, NEVER)).status).toBe(401);
  });

  it('after the rotation (old secret dropped): refuses the old credentials', async () => {
    const app = await replica(NEW);

    expect((await listClients(app, NEW)).status).toBe(200);
    const old = await listClients(app, OLD);
    expect({ status: old.status, error: old.body['error'] }).toEqual({ status: 401, error: 'invalid_token' });
  });

  it('accepts each caller on its own routes only, whichever secret its credential comes from', async () => {
    const app = await replica(NEW, [OLD]);
    const challenge = { method: 'GET', path: '/internal/challenges/no-such-challenge' };

    // The auth-service may read challenges: past the guard (404: no such challenge), with either secret.
    for (const secret of [OLD, NEW]) expect((await call(app.internalUrl, challenge, `Bearer ${internalCredential(secret, 'auth-service')}`)).status).toBe(404);
    // It may not manage clients, with either secret.
    for (const secret of [OLD, NEW]) expect((await call(app.internalUrl, { method: 'GET', path: '/internal/clients' }, `Bearer ${internalCredential(secret, 'auth-service')}`)).status).toBe(401);
    expect((await call(app.internalUrl, challenge, `Bearer ${internalCredential(NEVER, 'auth-service')}`)).status).toBe(401);
  });
});
