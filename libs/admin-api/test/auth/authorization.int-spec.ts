import { FakeClock, testEngines } from '@tessera/test-kit';
import { ADMIN_API, startAdminPlatform, type AdminPlatform } from '../support/admin-platform';

/**
 * Who may use the admin API: a bearer token for it (aud), with admin:read to read and
 * admin:write to change, held by an admin user (checked again at every request) or an admin
 * client. Every refusal is RFC 6750's status and WWW-Authenticate, in an RFC 9457 body.
 */
describe.each(testEngines())('admin API authorization (%s)', (engine) => {
  let app: AdminPlatform;
  const clock = new FakeClock(Math.floor(Date.now() / 1000) * 1000);

  beforeAll(async () => {
    app = await startAdminPlatform({ engine, clock: clock.now });
  });
  afterAll(() => app?.close());

  it('answers a request without a token with 401, a bare Bearer challenge and problem details', async () => {
    const res = await app.admin(undefined, 'GET', '/clients');
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="[^"]+"$/);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ type: expect.stringMatching(/^urn:tessera:problem:/), title: expect.any(String), status: 401, detail: expect.any(String) });
  });

  it('lets the bootstrap admin client read and write', async () => {
    const token = await app.cliToken();
    expect((await app.admin(token, 'GET', '/clients')).status).toBe(200);
    expect((await app.admin(token, 'POST', '/clients', { grant_types: ['client_credentials'], client_name: 'Nightly export' })).status).toBe(201);
  });

  it('lets read scope read, and refuses it a write with 403 insufficient_scope naming admin:write', async () => {
    const token = await app.cliToken('admin:read');
    expect((await app.admin(token, 'GET', '/users')).status).toBe(200);
    const res = await app.admin(token, 'POST', '/clients', { grant_types: ['client_credentials'] });
    expect(res.status).toBe(403);
    expect(res.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
    expect(res.headers.get('www-authenticate')).toContain('scope="admin:write"');
    expect(res.body).toMatchObject({ type: 'urn:tessera:problem:insufficient_scope', status: 403 });
  });

  it("refuses an ordinary user's token: the token service never granted it admin scopes", async () => {
    const user = await app.user();
    const res = await app.admin(user.token, 'GET', '/clients');
    expect(res.status).toBe(403);
    expect(res.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
  });

  it('lets an admin user in, and refuses the same token once the user lost the admin role, or was locked', async () => {
    const admin = await app.user({ admin: true });
    expect((await app.admin(admin.token, 'GET', '/audit')).status).toBe(200);

    expect((await app.internal('PATCH', `/internal/users/${admin.sub}`, { roles: [] })).status).toBe(200);
    const demoted = await app.admin(admin.token, 'GET', '/audit');
    expect(demoted.status).toBe(403);
    expect(demoted.body).toMatchObject({ type: 'urn:tessera:problem:insufficient_role' });

    const other = await app.user({ admin: true });
    expect((await app.internal('PATCH', `/internal/users/${other.sub}`, { status: 'locked' })).status).toBe(200);
    expect((await app.admin(other.token, 'GET', '/audit')).status).toBe(403);
  });

  it("refuses an ordinary client's token, even one holding a scope named admin:read for another API", async () => {
    const ordinary = await app.internal('POST', '/internal/clients', { grant_types: ['client_credentials'], allowed_scopes: ['reports:read'] });
    const basic = `Basic ${Buffer.from(`${ordinary.body['client_id']}:${ordinary.body['client_secret']}`).toString('base64')}`;
    const res = await fetch(`${app.url}/oauth2/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic }, body: 'grant_type=client_credentials&scope=reports:read' });
    const { access_token } = (await res.json()) as { access_token: string };
    const refused = await app.admin(access_token, 'GET', '/clients');
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });

  it('refuses an expired token, a revoked token, and a made-up one', async () => {
    const expiring = await app.cliToken();
    clock.advance(301);
    expect((await app.admin(expiring, 'GET', '/clients')).status).toBe(401);

    const revoked = await app.cliToken();
    const basic = `Basic ${Buffer.from('tessera-cli:cli-secret-for-the-admin-api-tests-0123456789').toString('base64')}`;
    await fetch(`${app.url}/oauth2/revoke`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic }, body: `token=${revoked}` });
    expect((await app.admin(revoked, 'GET', '/clients')).status).toBe(401);

    expect((await app.admin('tsr_at_' + 'x'.repeat(43), 'GET', '/clients')).status).toBe(401);
  });

  it('names the admin API as the audience it accepts', async () => {
    const res = await app.admin(undefined, 'GET', '/clients');
    expect(res.headers.get('www-authenticate')).toContain(ADMIN_API);
  });
});
