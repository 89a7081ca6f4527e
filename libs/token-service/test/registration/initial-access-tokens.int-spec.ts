import { FakeClock, testEngines } from '@tessera/test-kit';
import { startTokenService, type TestApp } from '../support/token-service-app';
import { expectError, machineClient, register } from './registration.fixture';

interface TokenView {
  id: string;
  description?: string;
  scope?: string;
  expires_at?: number;
  revoked_at?: number;
  uses: number;
  initial_access_token?: string;
}

/** Initial access tokens administrators create (RFC 7591 §3): expiry, a scope allow-list, revocation. */
describe.each(testEngines())('initial access tokens for dynamic registration (%s)', (engine) => {
  let app: TestApp;
  const clock = new FakeClock(Math.floor(Date.now() / 1000) * 1000);
  beforeAll(async () => {
    app = await startTokenService({ engine, clock: clock.now });
  });
  afterAll(() => app?.close());

  const create = async (body: Record<string, unknown>) => {
    const res = await app.internal('POST', '/internal/initial-access-tokens', body);
    expect(res.status).toBe(201);
    return res.body as unknown as TokenView & { initial_access_token: string };
  };

  it('registers clients with a created token, within its scope allow-list, and counts its uses', async () => {
    const created = await create({ description: 'Partner onboarding', expires_in: 3600, scope: 'openid email' });
    expect(created.initial_access_token).toMatch(/^tsr_iat_/);
    expect(created).toMatchObject({ description: 'Partner onboarding', scope: 'openid email', expires_at: Math.floor(clock.now() / 1000) + 3600, uses: 0 });

    const ok = await register(app, { ...machineClient, scope: 'openid email' }, created.initial_access_token);
    expect(ok.status).toBe(201);
    const outside = await register(app, { ...machineClient, scope: 'openid profile' }, created.initial_access_token);
    expectError(outside, 400, 'invalid_client_metadata');
    expect(outside.body['error_description']).toContain('profile');

    const listed = (await app.internal('GET', '/internal/initial-access-tokens')).body as unknown as TokenView[];
    const mine = listed.find((t) => t.id === created.id) as TokenView;
    expect(mine.uses).toBe(1);
    expect(JSON.stringify(listed)).not.toContain(created.initial_access_token);
    expect(JSON.stringify(listed)).not.toMatch(/hash/);
  });

  it('refuses a token once it expired or was revoked; the bootstrap token still works', async () => {
    const expiring = await create({ expires_in: 60 });
    const revoked = await create({});
    expect((await register(app, machineClient, expiring.initial_access_token)).status).toBe(201);
    clock.advance(61);
    expectError(await register(app, machineClient, expiring.initial_access_token), 401, 'invalid_token');

    expect((await app.internal('DELETE', `/internal/initial-access-tokens/${revoked.id}`)).status).toBe(204);
    expectError(await register(app, machineClient, revoked.initial_access_token), 401, 'invalid_token');
    expect((await app.internal('DELETE', `/internal/initial-access-tokens/${revoked.id}`)).status).toBe(404);

    expect((await register(app, machineClient, app.registrationToken)).status).toBe(201);
  });

  it('refuses bad input with the reason', async () => {
    for (const body of [{ expires_in: 10 }, { expires_in: 'soon' }, { scope: 'openid account' }, { scope: ['openid'] }, { description: 'x'.repeat(300) }, { colour: 'blue' }]) {
      const res = await app.internal('POST', '/internal/initial-access-tokens', body);
      expect({ body, status: res.status, error: res.body['error'] }).toEqual({ body, status: 400, error: 'invalid_request' });
    }
  });
});
