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
