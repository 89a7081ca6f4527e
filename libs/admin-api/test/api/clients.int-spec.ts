import { eventually, testEngines } from '@tessera/test-kit';
import { startAdminPlatform, type AdminPlatform } from '../support/admin-platform';

interface Page<T> {
  items: T[];
  next_cursor?: string;
}
type Client = Record<string, unknown> & { client_id: string; client_secret?: string };
type AuditEntry = { type: string; actor: { type: string; id?: string }; client_id?: string; subject?: string; ip?: string; details: Record<string, unknown> };

/** Clients through the admin API: create (idempotent), read, page and search, update, rotate the secret, delete; each audited. */
describe.each(testEngines())('admin API: clients (%s)', (engine) => {
  let app: AdminPlatform;
  let token: string;

  beforeAll(async () => {
    app = await startAdminPlatform({ engine });
    token = await app.cliToken();
  });
  afterAll(() => app?.close());

  const audit = async (query: string) => (await app.admin<Page<AuditEntry>>(token, 'GET', `/audit?${query}`)).body.items;

  it('creates a client with Tessera policy, shows the secret once, and audits who did it from where', async () => {
    const res = await app.admin<Client>(token, 'POST', '/clients', {
      client_name: 'Reporting',
      grant_types: ['client_credentials'],
      allowed_scopes: [{ scope: 'reports:read', required: true }],
      access_token_format: 'jwt',
      default_audience: ['https://reports.example.com'],
      access_token_ttl: 600,
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ client_name: 'Reporting', access_token_format: 'jwt', access_token_ttl: 600, client_secret: expect.stringMatching(/^tsr_cs_/) });
    const read = await app.admin<Client>(token, 'GET', `/clients/${res.body.client_id}`);
    expect(read.body).not.toHaveProperty('client_secret');

    const [entry] = await audit(`type=admin.client.created&client_id=${res.body.client_id}`);
    expect(entry).toMatchObject({ actor: { type: 'client', id: 'tessera-cli' }, client_id: res.body.client_id, ip: '127.0.0.1', details: { client_name: 'Reporting' } });
    expect(JSON.stringify(entry)).not.toContain(res.body.client_secret as string);
  });

  it('answers a create retried with the same Idempotency-Key with the first answer, and refuses the key for another body', async () => {
    const body = { client_name: 'Exactly once', grant_types: ['client_credentials'] };
    const key = { 'idempotency-key': `k-${Date.now()}` };
    const first = await app.admin<Client>(token, 'POST', '/clients', body, key);
    const again = await app.admin<Client>(token, 'POST', '/clients', body, key);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    const list = await app.admin<Page<Client>>(token, 'GET', '/clients?q=exactly%20once');
    expect(list.body.items.map((c) => c.client_id)).toEqual([first.body.client_id]);

    const other = await app.admin(token, 'POST', '/clients', { ...body, client_name: 'Something else' }, key);
    expect(other.status).toBe(422);
    expect(other.body).toMatchObject({ type: 'urn:tessera:problem:idempotency_key_reused' });
  });

  it('pages and searches clients', async () => {
    const tag = `pager-${Date.now()}`;
    for (let i = 0; i < 5; i++) await app.admin(token, 'POST', '/clients', { client_name: `${tag} ${i}`, grant_types: ['client_credentials'] });
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await app.admin<Page<Client>>(token, 'GET', `/clients?q=${tag}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((c) => c.client_name as string));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(seen.sort()).toEqual([0, 1, 2, 3, 4].map((i) => `${tag} ${i}`));
    expect((await app.admin(token, 'GET', '/clients?limit=0')).status).toBe(400);
    expect((await app.admin(token, 'GET', '/clients?cursor=%%%')).status).toBe(400);
  });

  it('changes some fields and keeps the others, rotates the secret, deletes; refuses bad metadata with the reason', async () => {
    const created = (await app.admin<Client>(token, 'POST', '/clients', { client_name: 'Editable', grant_types: ['client_credentials'], access_token_ttl: 900 })).body;
    const patched = await app.admin<Client>(token, 'PATCH', `/clients/${created.client_id}`, { client_name: 'Edited' });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ client_name: 'Edited', access_token_ttl: 900 });

    const bad = await app.admin(token, 'PATCH', `/clients/${created.client_id}`, { grant_types: ['no_such_grant'] });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ type: 'urn:tessera:problem:invalid_request', reason: 'invalid_client_metadata', detail: expect.stringContaining('grant') });

    const rotated = await app.admin<Client>(token, 'POST', `/clients/${created.client_id}/secret`);
    expect(rotated.body.client_secret).toMatch(/^tsr_cs_/);
    expect(rotated.body.client_secret).not.toBe(created.client_secret);

    expect((await app.admin(token, 'DELETE', `/clients/${created.client_id}`)).status).toBe(204);
    expect((await app.admin(token, 'GET', `/clients/${created.client_id}`)).status).toBe(404);
    expect((await audit(`client_id=${created.client_id}&type=admin.*`)).map((e) => e.type)).toEqual(['admin.client.deleted', 'admin.client.secret_rotated', 'admin.client.updated', 'admin.client.created']);
  });

  it('disables a client (it gets no tokens) and enables it again, each audited', async () => {
    const created = (await app.admin<Client>(token, 'POST', '/clients', { grant_types: ['client_credentials'], allowed_scopes: ['reports:read'] })).body;
    const tokenFor = async () =>
      (
        await fetch(`${app.url}/oauth2/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${created.client_id}:${created.client_secret}`).toString('base64')}` },
          body: 'grant_type=client_credentials&scope=reports:read',
        })
      ).status;
    expect((await app.admin<Client>(token, 'POST', `/clients/${created.client_id}/disable`)).body).toMatchObject({ disabled: true });
    expect(await tokenFor()).toBe(401);
    expect((await app.admin<Client>(token, 'POST', `/clients/${created.client_id}/enable`)).body).toMatchObject({ disabled: false });
    expect(await tokenFor()).toBe(200);
    expect((await audit(`client_id=${created.client_id}&type=admin.client.disabled,admin.client.enabled`)).map((e) => e.type)).toEqual(['admin.client.enabled', 'admin.client.disabled']);
  });

  it('marks the built-in clients, and refuses with 409 built_in_client (unaudited) to delete, disable, re-key or weaken them', async () => {
    const list = await app.admin<Page<Client>>(token, 'GET', '/clients?q=tessera-');
    expect(Object.fromEntries(list.body.items.map((c) => [c.client_id, c['built_in']]))).toEqual({ 'tessera-cli': true, 'tessera-portal': true });
    const since = new Date().toISOString();
    const portal = (await app.admin<Client>(token, 'GET', '/clients/tessera-portal')).body;

    const refusals: Array<[string, string, unknown, RegExp]> = [
      ['DELETE', '/clients/tessera-portal', undefined, /cannot be deleted/],
      ['DELETE', '/clients/tessera-cli', undefined, /cannot be deleted/],
      ['POST', '/clients/tessera-portal/disable', undefined, /lock every administrator out/],
      ['POST', '/clients/tessera-cli/disable', undefined, /cannot be disabled/],
      ['POST', '/clients/tessera-cli/secret', undefined, /set TESSERA_CLI_SECRET/],
      ['PATCH', '/clients/tessera-portal', { redirect_uris: [`${app.issuer}/callback`, 'https://evil.example/callback'] }, /not redirect_uris/],
      ['PATCH', '/clients/tessera-portal', { token_endpoint_auth_method: 'client_secret_basic' }, /not token_endpoint_auth_method/],
      ['PATCH', '/clients/tessera-portal', { grant_types: ['authorization_code', 'refresh_token'], refresh_tokens: true }, /refresh_tokens/],
      ['PUT', '/clients/tessera-portal', { ...portal, grant_types: ['authorization_code', 'implicit'], response_types: ['code', 'id_token token'] }, /not grant_types/],
      ['PATCH', '/clients/tessera-cli', { admin: false }, /not admin/],
      ['POST', '/clients/tessera-portal/revocations', { disable_client: true }, /cannot be disabled/],
    ];
    for (const [method, path, body, detail] of refusals) {
      const res = await app.admin<Record<string, unknown>>(token, method, path, body);
      expect({ method, path, status: res.status, type: res.body['type'] }).toEqual({ method, path, status: 409, type: 'urn:tessera:problem:built_in_client' });
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(res.body['detail']).toMatch(detail);
    }
    expect((await app.admin<Client>(token, 'GET', '/clients/tessera-portal')).body).toEqual(portal);
    expect(await app.cliToken()).toEqual(expect.any(String));
    const audited = await audit(`type=admin.client.*&since=${encodeURIComponent(since)}`);
    expect(audited.filter((e) => e.client_id === 'tessera-portal' || e.client_id === 'tessera-cli')).toEqual([]);
  });

  it("changes a built-in client's harmless settings, and revokes the portal's access everywhere (everyone signs in again)", async () => {
    const patched = await app.admin<Client>(token, 'PATCH', '/clients/tessera-portal', { client_name: 'Company portal', access_token_ttl: 600, mfa_policy: 'required', logo_uri: 'https://cdn.example.com/logo.png' });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ client_name: 'Company portal', access_token_ttl: 600, mfa_policy: 'required', built_in: true, redirect_uris: [`${app.issuer}/callback`] });
    expect((await app.admin(token, 'PATCH', '/clients/tessera-portal', { logo_uri: null })).status).toBe(200);

    const revocation = await app.admin<{ id: string; disable_client: boolean }>(token, 'POST', '/clients/tessera-portal/revocations', {});
    expect(revocation).toMatchObject({ status: 202, body: { disable_client: false } });
    await eventually(async () => expect((await app.admin<{ status: string }>(token, 'GET', `/revocations/${revocation.body.id}`)).body.status).toBe('completed'));
    expect((await app.admin<Client>(token, 'GET', '/clients/tessera-portal')).body).toMatchObject({ disabled: false, revoked_before: expect.any(Number) });
  });

  it('creates initial access tokens for dynamic registration (shown once), lists and revokes them', async () => {
    const created = await app.admin<{ id: string; initial_access_token: string; scope: string }>(token, 'POST', '/initial-access-tokens', { description: 'Partner', expires_in: 86400, scope: 'openid email' });
    expect(created.status).toBe(201);
    expect(created.body.initial_access_token).toMatch(/^tsr_iat_/);
    const register = (iat: string) =>
      fetch(`${app.url}/oauth2/register`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${iat}` }, body: JSON.stringify({ grant_types: ['client_credentials'], scope: 'openid email' }) });
    expect((await register(created.body.initial_access_token)).status).toBe(201);

    const listed = await app.admin<Array<{ id: string; uses: number }>>(token, 'GET', '/initial-access-tokens');
    expect(listed.body.find((t) => t.id === created.body.id)).toMatchObject({ uses: 1, scope: 'openid email' });
    expect(JSON.stringify(listed.body)).not.toContain(created.body.initial_access_token);
    expect((await app.admin(token, 'DELETE', `/initial-access-tokens/${created.body.id}`)).status).toBe(204);
    expect((await register(created.body.initial_access_token)).status).toBe(401);
    expect((await app.admin(token, 'POST', '/initial-access-tokens', { scope: 'admin:write' })).status).toBe(400);
    const entries = await audit('type=admin.initial_access_token.*');
    expect(entries.map((e) => e.type)).toEqual(['admin.initial_access_token.revoked', 'admin.initial_access_token.created']);
    expect(JSON.stringify(entries)).not.toContain(created.body.initial_access_token);
  });

  it('answers bad input with problem details, never a 500', async () => {
    for (const [method, path, body] of [
      ['POST', '/clients', [1, 2]],
      ['POST', '/clients', 'text'],
      ['GET', '/clients/%00', undefined],
      ['PATCH', '/clients/tessera-cli', { client_id: 'other' }],
      ['GET', '/clients/no-such-client', undefined],
    ] as const) {
      const res = await app.admin(token, method, path, body);
      expect({ path, status: res.status < 500, type: (res.body as { type?: string }).type?.startsWith('urn:tessera:problem:') }).toEqual({ path, status: true, type: true });
    }
  });

  it('records the security events of the other services in the audit log (client.created from the token service)', async () => {
    const created = (await app.admin<Client>(token, 'POST', '/clients', { client_name: 'Evented', grant_types: ['client_credentials'] })).body;
    await eventually(async () => expect((await audit(`type=client.created&client_id=${created.client_id}`)).map((e) => e.actor.type)).toEqual(['system']));
  });
});
