import { testEngines } from '@tessera/test-kit';
import { startAdminPlatform, type AdminPlatform } from '../support/admin-platform';

type AuditEntry = { type: string; details: Record<string, unknown> };

/** Signing keys, upstream identity providers, back-channel deliveries, and the OpenAPI document. */
describe.each(testEngines())('admin API: operations and its description (%s)', (engine) => {
  let app: AdminPlatform;
  let token: string;

  beforeAll(async () => {
    app = await startAdminPlatform({ engine });
    token = await app.cliToken();
  });
  afterAll(() => app?.close());

  it('lists signing keys without private parts, rotates one now, and audits it', async () => {
    const before = await app.admin<Record<string, unknown>>(token, 'GET', '/keys');
    expect(before.status).toBe(200);
    expect(JSON.stringify(before.body)).not.toMatch(/"d":|private/i);
    const rotated = await app.admin<{ rotated: Array<{ alg: string; kid: string }> }>(token, 'POST', '/keys/rotate', { alg: 'ES256' });
    expect(rotated.status).toBe(200);
    expect(rotated.body.rotated).toEqual([expect.objectContaining({ alg: 'ES256', kid: expect.any(String) })]);
    const audit = await app.admin<{ items: AuditEntry[] }>(token, 'GET', '/audit?type=admin.key.rotated');
    expect(audit.body.items[0].details).toEqual({ rotated: [{ alg: 'ES256', kid: rotated.body.rotated[0].kid }] });
    expect((await app.admin(token, 'POST', '/keys/rotate', { alg: 'HS256' })).status).toBe(400);
  });

  it('retires a key rotated out: it leaves the JWKS and its tokens stop verifying; the key in use cannot be retired', async () => {
    const keyOf = async () => ((await app.admin<Array<{ kid: string; alg: string; state: string }>>(token, 'GET', '/keys')).body).find((k) => k.alg === 'ES256' && k.state === 'current') as { kid: string };
    const old = await keyOf();
    // A JWT access token signed with that key, checked at introspection as its resource server would.
    const client = (await app.admin<{ client_id: string; client_secret: string }>(token, 'POST', '/clients', { grant_types: ['client_credentials'], allowed_scopes: ['reports:read'], access_token_format: 'jwt', access_token_signing_alg: 'ES256', default_audience: ['https://reports.example.com'] })).body;
    const basic = `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}`;
    const post = async (path: string, body: string) => (await (await fetch(`${app.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic }, body })).json()) as Record<string, unknown>;
    const jwt = (await post('/oauth2/token', 'grant_type=client_credentials&scope=reports:read'))['access_token'] as string;
    expect(JSON.parse(Buffer.from(jwt.split('.')[0], 'base64url').toString())).toMatchObject({ kid: old.kid });
    expect((await app.admin(token, 'POST', `/keys/${old.kid}/retire`)).status).toBe(409);
    await app.admin(token, 'POST', '/keys/rotate', { alg: 'ES256' });
    const jwks = async () => ((await (await fetch(`${app.url}/oauth2/jwks`)).json()) as { keys: Array<{ kid: string }> }).keys.map((k) => k.kid);
    expect(await jwks()).toContain(old.kid);

    const retired = await app.admin(token, 'POST', `/keys/${old.kid}/retire`);
    expect(retired).toMatchObject({ status: 200, body: { retired: old.kid } });
    expect(await jwks()).not.toContain(old.kid);
    expect((await post('/oauth2/introspect', `token=${jwt}`))['active']).toBe(false);
    expect((await app.admin(token, 'POST', '/keys/no-such-kid/retire')).status).toBe(404);
    const audit = await app.admin<{ items: AuditEntry[] }>(token, 'GET', '/audit?type=admin.key.retired');
    expect(audit.body.items[0].details).toEqual({ kid: old.kid });
  });

  it('lists the scopes and claims it knows, and registers and removes APIs with their scopes', async () => {
    const scopes = await app.admin<{ scopes: Array<{ name: string; standard: boolean; claims: string[] }>; claims: Array<{ name: string }> }>(token, 'GET', '/scopes');
    expect(scopes.body.scopes).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'email', standard: true, claims: ['email', 'email_verified'] })]));
    expect(scopes.body.claims.map((c) => c.name)).toContain('sub');

    const api = await app.admin<{ id: string; identifier: string; scopes: string[] }>(token, 'POST', '/resource-servers', { identifier: 'https://orders.example.com', name: 'Orders', scopes: ['orders:read', 'orders:write'] });
    expect(api).toMatchObject({ status: 201, body: { identifier: 'https://orders.example.com', scopes: ['orders:read', 'orders:write'] } });
    expect((await app.admin<Array<{ id: string }>>(token, 'GET', '/resource-servers')).body.map((r) => r.id)).toContain(api.body.id);
    expect((await app.admin(token, 'POST', '/resource-servers', { identifier: 'not a uri' })).status).toBe(400);
    expect((await app.admin(token, 'DELETE', `/resource-servers/${api.body.id}`)).status).toBe(204);
    const audit = await app.admin<{ items: AuditEntry[] }>(token, 'GET', '/audit?type=admin.resource_server.*');
    expect(audit.body.items.map((e) => e.type)).toEqual(['admin.resource_server.deleted', 'admin.resource_server.created']);
  });

  it('manages upstream identity providers without ever showing their client secret', async () => {
    const created = await app.admin<{ id: string }>(token, 'POST', '/upstream-idps', {
      id: 'corporate',
      display_name: 'Corporate',
      issuer: 'https://login.corp.example.com',
      client_id: 'tessera',
      client_secret: 'upstream-secret-value',
    });
    expect(created.status).toBe(201);
    const listed = await app.admin(token, 'GET', '/upstream-idps');
    expect(JSON.stringify(listed.body)).not.toContain('upstream-secret-value');
    expect((await app.admin(token, 'PATCH', `/upstream-idps/${created.body.id}`, { display_name: 'Corporate SSO' })).status).toBe(200);
    expect((await app.admin(token, 'DELETE', `/upstream-idps/${created.body.id}`)).status).toBe(204);
    const audit = await app.admin<{ items: AuditEntry[] }>(token, 'GET', '/audit?type=admin.upstream_idp.*');
    expect(audit.body.items.map((e) => e.type)).toEqual(['admin.upstream_idp.deleted', 'admin.upstream_idp.updated', 'admin.upstream_idp.created']);
    expect(JSON.stringify(audit.body)).not.toContain('upstream-secret-value');
  });

  it('lists back-channel logout deliveries and refuses a bad filter', async () => {
    expect(await app.admin(token, 'GET', '/backchannel-deliveries?status=failed')).toMatchObject({ status: 200, body: [] });
    expect((await app.admin(token, 'GET', '/backchannel-deliveries?status=lost')).status).toBe(400);
  });

  it('publishes an OpenAPI document generated from the code, and browsable docs that load nothing from elsewhere', async () => {
    const res = await fetch(`${app.url}/admin/api/openapi.json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, Record<string, { summary?: string; security?: unknown[] }>>; components: { schemas: Record<string, unknown> } };
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/admin/api/clients', '/admin/api/clients/{id}/revocations', '/admin/api/users/{sub}', '/admin/api/audit/export', '/admin/api/keys/rotate']));
    expect(doc.paths['/admin/api/clients']['post'].summary).toBe('Create a client');
    expect(doc.paths['/admin/api/clients']['post'].security).toEqual([{ bearer: [] }]);
    expect(doc.components.schemas).toHaveProperty('Problem');
    // Only the admin API: not the token service's or the authentication service's routes.
    expect(Object.keys(doc.paths).every((p) => p.startsWith('/admin/api/'))).toBe(true);

    const page = await fetch(`${app.url}/admin/api/docs`);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await page.text();
    expect(html).not.toMatch(/<script>(?!<)/);
    for (const src of [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1])) {
      expect(src.startsWith('/admin/api/docs/')).toBe(true);
      expect((await fetch(`${app.url}${src}`)).status).toBe(200);
    }
    expect((await fetch(`${app.url}/admin/api/docs/..%2Fpackage.json`)).status).toBe(404);
  });
});
