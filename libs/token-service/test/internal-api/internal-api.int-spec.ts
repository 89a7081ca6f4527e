import { decodeProtectedHeader } from 'jose';
import { FakeClock, testEngines } from '@tessera/test-kit';
import { startTokenService, type TestApp } from '../support/token-service-app';
import { INTERNAL_ROUTES, call, credentialFor, forgedCredential, isActive, tokenFor } from './internal-api.fixture';

const basicOf = (id: unknown, secret: unknown) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

/** The internal API: only on the internal listener, only to the callers each route names. */
describe.each(testEngines())('internal API (%s)', (engine) => {
  let app: TestApp;
  const clock = new FakeClock();
  beforeAll(async () => {
    app = await startTokenService({ engine, clock: clock.now });
  });
  afterAll(() => app?.close());

  describe('the public listener', () => {
    it.each(INTERNAL_ROUTES.map((r) => [`${r.method} ${r.path}`, r]))('answers %s with 404, even with a valid credential', async (_name, route) => {
      const res = await call(app.url, route, `Bearer ${credentialFor(app, 'operator')}`);
      expect(res.status).toBe(404);
      expect(JSON.stringify(res.body)).not.toMatch(/client_id|kid|identifier/);
    });

    it('does not act on what it refused: no client created, no key rotated', async () => {
      const keysBefore = (await app.internal('GET', '/internal/keys')).body;
      const clientsBefore = (await app.internal('GET', '/internal/clients')).body;
      await call(app.url, { method: 'POST', path: '/internal/keys/rotate', body: {} }, `Bearer ${credentialFor(app, 'operator')}`);
      await call(app.url, { method: 'POST', path: '/internal/clients', body: { grant_types: ['client_credentials'] } }, `Bearer ${credentialFor(app, 'operator')}`);
      expect((await app.internal('GET', '/internal/keys')).body).toEqual(keysBefore);
      expect((await app.internal('GET', '/internal/clients')).body).toEqual(clientsBefore);
    });

    it.each([['/%69nternal/keys'], ['/internal%2Fkeys'], ['//internal/keys'], ['/internal/./keys']])('does not let %s reach the internal API', async (path) => {
      const res = await fetch(`${app.url}${path}`, { headers: { authorization: `Bearer ${credentialFor(app, 'operator')}` } });
      expect(res.status).toBe(404);
      expect(await res.text()).not.toMatch(/"kid"/);
    });
  });

  describe('the internal listener', () => {
    const expectRefused = async (authorization: string | undefined) => {
      for (const route of INTERNAL_ROUTES) {
        const res = await call(app.internalUrl, route, authorization);
        expect({ route: `${route.method} ${route.path}`, status: res.status, error: res.body['error'] }).toEqual({
          route: `${route.method} ${route.path}`,
          status: 401,
          error: 'invalid_token',
        });
        // RFC 6750 §3.1: a request that presented a bearer credential is told why; one that presented none is not.
        const challenge = res.headers.get('www-authenticate');
        expect(challenge).toMatch(/^Bearer\b/);
        if (authorization?.startsWith('Bearer ')) expect(challenge).toMatch(/error="invalid_token"/);
        else expect(challenge).not.toMatch(/error=/);
      }
    };

    it('refuses a request without credential with 401 invalid_token', async () => {
      await expectRefused(undefined);
    });

    it('refuses malformed and forged credentials', async () => {
      for (const credential of ['operator.xxxx', 'operator', 'operator.', '.', forgedCredential('operator'), forgedCredential('admin-api'), forgedCredential('auth-service')]) {
        await expectRefused(`Bearer ${credential}`);
      }
      await expectRefused(`Basic ${Buffer.from(`operator:${credentialFor(app, 'operator')}`).toString('base64')}`);
      await expectRefused(credentialFor(app, 'operator'));
    });

    it('refuses a genuine credential of a caller the routes do not name', async () => {
      await expectRefused(`Bearer ${credentialFor(app, 'auth-service')}`);
      await expectRefused(`Bearer ${credentialFor(app, 'token-service')}`);
      // One caller's MAC under another caller's name.
      const mac = credentialFor(app, 'operator').split('.')[1];
      await expectRefused(`Bearer auth-service.${mac}`);
    });

    it('answers the callers the routes name', async () => {
      for (const caller of ['operator', 'admin-api'] as const) {
        const res = await call(app.internalUrl, { method: 'GET', path: '/internal/clients' }, `Bearer ${credentialFor(app, caller)}`);
        expect(res.status).toBe(200);
      }
    });
  });

  describe('clients', () => {
    it('creates a client: 201 with its secret shown once, then readable without it', async () => {
      const created = await app.internal('POST', '/internal/clients', { client_name: 'Nightly export', grant_types: ['client_credentials'], allowed_scopes: ['export'] });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ client_id: expect.any(String), client_secret: expect.any(String), client_name: 'Nightly export' });
      const read = await app.internal('GET', `/internal/clients/${created.body['client_id']}`);
      expect(read.status).toBe(200);
      expect(read.body).toMatchObject({ client_id: created.body['client_id'], client_name: 'Nightly export' });
      expect(JSON.stringify(read.body)).not.toContain(created.body['client_secret'] as string);
      expect(Object.keys(read.body).filter((k) => /secret(?!_expires_at)|hash/.test(k))).toEqual([]);
      expect((await tokenFor(app, basicOf(created.body['client_id'], created.body['client_secret']), { scope: 'export' })).status).toBe(200);
    });

    it("refuses an explicit client_id that no URL could name ('.', '..', a slash)", async () => {
      for (const clientId of ['.', '..', 'a/b', '']) {
        const res = await app.internal('POST', '/internal/clients', { client_id: clientId, grant_types: ['client_credentials'] });
        expect({ clientId, status: res.status, error: res.body['error'] }).toEqual({ clientId, status: 400, error: 'invalid_client_metadata' });
      }
    });

    it('refuses a duplicate explicit client_id, and an unknown client with 404', async () => {
      expect((await app.internal('POST', '/internal/clients', { client_id: 'dup-client', grant_types: ['client_credentials'] })).status).toBe(201);
      const again = await app.internal('POST', '/internal/clients', { client_id: 'dup-client', grant_types: ['client_credentials'] });
      expect({ status: again.status, error: again.body['error'] }).toEqual({ status: 400, error: 'invalid_client_metadata' });
      for (const [method, path] of [['GET', '/internal/clients/nope'], ['PUT', '/internal/clients/nope'], ['DELETE', '/internal/clients/nope'], ['POST', '/internal/clients/nope/secret'], ['POST', '/internal/clients/nope/revoke']]) {
        const res = await app.internal(method, path, method === 'PUT' ? { grant_types: ['client_credentials'] } : undefined);
        expect({ path, status: res.status }).toEqual({ path, status: 404 });
      }
    });

    it('updates a client, and the token endpoint applies the new policy at once', async () => {
      const c = await app.client({ allowed_scopes: ['a'] });
      expect((await tokenFor(app, c.basic, { scope: 'b' })).body.error).toBe('invalid_scope');
      const updated = await app.internal('PUT', `/internal/clients/${c.client_id}`, { grant_types: ['client_credentials'], allowed_scopes: ['a', 'b'], access_token_ttl: 600 });
      expect(updated.status).toBe(200);
      expect(updated.body).not.toHaveProperty('client_secret');
      const token = await tokenFor(app, c.basic, { scope: 'b' });
      expect(token).toMatchObject({ status: 200, body: { scope: 'b', expires_in: 600 } });
    });

    it('rotates the secret: the old one stops working at once, the new one works', async () => {
      const c = await app.client();
      expect((await tokenFor(app, c.basic)).status).toBe(200);
      const rotated = await app.internal('POST', `/internal/clients/${c.client_id}/secret`);
      expect(rotated.status).toBe(201);
      const secret = rotated.body['client_secret'] as string;
      expect(secret).toEqual(expect.any(String));
      expect(secret).not.toBe(c.client_secret);
      const old = await tokenFor(app, c.basic);
      expect({ status: old.status, error: old.body.error }).toEqual({ status: 401, error: 'invalid_client' });
      expect((await tokenFor(app, basicOf(c.client_id, secret))).status).toBe(200);
    });

    it('revokes all access: reference and JWT tokens inactive at once; a token issued a second later is active', async () => {
      const jwtApi = 'https://api.test/internal-jwt';
      expect((await app.internal('POST', '/internal/resource-servers', { identifier: jwtApi, access_token_format: 'jwt' })).status).toBe(201);
      const c = await app.client();
      const reference = (await tokenFor(app, c.basic)).body.access_token as string;
      const jwt = (await tokenFor(app, c.basic, { resource: jwtApi })).body.access_token as string;
      expect(decodeProtectedHeader(jwt).typ).toBe('at+jwt');
      expect(await isActive(app, c.basic, reference)).toBe(true);
      expect(await isActive(app, c.basic, jwt)).toBe(true);

      const revoked = await app.internal('POST', `/internal/clients/${c.client_id}/revoke`);
      expect(revoked.status).toBe(201);
      expect(revoked.body['revoked_before']).toBe(Math.floor(clock.now() / 1000));
      expect(await isActive(app, c.basic, reference)).toBe(false);
      expect(await isActive(app, c.basic, jwt)).toBe(false);

      clock.advance(1);
      const laterReference = (await tokenFor(app, c.basic)).body.access_token as string;
      const laterJwt = (await tokenFor(app, c.basic, { resource: jwtApi })).body.access_token as string;
      expect(await isActive(app, c.basic, laterReference)).toBe(true);
      expect(await isActive(app, c.basic, laterJwt)).toBe(true);
    });

    it('deletes a client: 204, its credentials and tokens stop working, and it is gone', async () => {
      const c = await app.client();
      const rs = await app.client();
      const api = 'https://api.test/internal-delete';
      expect((await app.internal('POST', '/internal/resource-servers', { identifier: api, client_id: rs.client_id })).status).toBe(201);
      const token = (await tokenFor(app, c.basic, { resource: api })).body.access_token as string;
      expect(await isActive(app, rs.basic, token)).toBe(true);
      const res = await app.internal('DELETE', `/internal/clients/${c.client_id}`);
      expect(res.status).toBe(204);
      expect(await isActive(app, rs.basic, token)).toBe(false);
      expect((await tokenFor(app, c.basic)).status).toBe(401);
      expect((await app.internal('GET', `/internal/clients/${c.client_id}`)).status).toBe(404);
      expect(((await app.internal('GET', '/internal/clients')).body as unknown as { client_id: string }[]).map((x) => x.client_id)).not.toContain(c.client_id);
    });
  });

  describe('resource servers', () => {
    it('registers a resource server and lists it', async () => {
      const res = await app.internal('POST', '/internal/resource-servers', { identifier: 'https://api.test/rs-list', name: 'Listing API', scopes: ['x'] });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ id: expect.any(String), identifier: 'https://api.test/rs-list', name: 'Listing API', scopes: ['x'] });
      const list = (await app.internal('GET', '/internal/resource-servers')).body as unknown as { identifier: string }[];
      expect(list.filter((rs) => rs.identifier === 'https://api.test/rs-list')).toHaveLength(1);
    });

    it('refuses a second resource server with the same identifier', async () => {
      expect((await app.internal('POST', '/internal/resource-servers', { identifier: 'https://api.test/rs-dup' })).status).toBe(201);
      const dup = await app.internal('POST', '/internal/resource-servers', { identifier: 'https://api.test/rs-dup' });
      expect(dup.status).toBe(400);
      expect(dup.body['error']).toEqual(expect.any(String));
      const list = (await app.internal('GET', '/internal/resource-servers')).body as unknown as { identifier: string }[];
      expect(list.filter((rs) => rs.identifier === 'https://api.test/rs-dup')).toHaveLength(1);
    });

    it.each([['/relative/api'], ['api.test/no-scheme'], ['https://api.test/with#fragment'], ['']])('refuses the identifier "%s" (RFC 8707 §2: an absolute URI without fragment)', async (identifier) => {
      const res = await app.internal('POST', '/internal/resource-servers', { identifier });
      expect(res.status).toBe(400);
      const list = (await app.internal('GET', '/internal/resource-servers')).body as unknown as { identifier: string }[];
      expect(list.map((rs) => rs.identifier)).not.toContain(identifier);
    });

    it('deletes a resource server: the resource parameter naming it then gets invalid_target', async () => {
      const created = await app.internal('POST', '/internal/resource-servers', { identifier: 'https://api.test/rs-gone' });
      const c = await app.client();
      expect((await tokenFor(app, c.basic, { resource: 'https://api.test/rs-gone' })).status).toBe(200);
      expect((await app.internal('DELETE', `/internal/resource-servers/${created.body['id']}`)).status).toBe(204);
      const res = await tokenFor(app, c.basic, { resource: 'https://api.test/rs-gone' });
      expect({ status: res.status, error: res.body.error }).toEqual({ status: 400, error: 'invalid_target' });
    });
  });
});
