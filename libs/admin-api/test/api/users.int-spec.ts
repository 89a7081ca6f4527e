import { createHash } from 'node:crypto';
import { eventually, testEngines } from '@tessera/test-kit';
import { startAdminPlatform, type AdminPlatform } from '../support/admin-platform';

interface Page<T> {
  items: T[];
  next_cursor?: string;
}
type User = Record<string, unknown> & { sub: string; email: string; status: string; roles: string[] };
type AuditEntry = { id: string; type: string; occurred_at: string; actor: { type: string; id?: string }; subject?: string; client_id?: string; ip?: string; details: Record<string, unknown> };

/** Users through the admin API, and the audit log that records what administrators and people did. */
describe.each(testEngines())('admin API: users and the audit log (%s)', (engine) => {
  let app: AdminPlatform;
  let token: string;

  beforeAll(async () => {
    app = await startAdminPlatform({ engine });
    token = await app.cliToken();
  });
  afterAll(() => app?.close());

  const auditOf = async (query: string) => (await app.admin<Page<AuditEntry>>(token, 'GET', `/audit?${query}`)).body.items;

  it('creates, searches, pages, edits, locks and unlocks users, each audited', async () => {
    const tag = `search${Date.now()}`;
    const created: User[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await app.admin<User>(token, 'POST', '/users', { email: `${tag}-${i}@example.com`, password: `a long enough passphrase ${i}`, claims: { name: `Person ${i}` } });
      expect(res.status).toBe(201);
      expect(res.body).not.toHaveProperty('password_hash');
      created.push(res.body);
    }
    const first = await app.admin<Page<User>>(token, 'GET', `/users?q=${tag}&limit=2`);
    const second = await app.admin<Page<User>>(token, 'GET', `/users?q=${tag}&limit=2&cursor=${first.body.next_cursor}`);
    expect([...first.body.items, ...second.body.items].map((u) => u.email).sort()).toEqual(created.map((u) => u.email).sort());
    expect(second.body.next_cursor).toBeUndefined();
    expect((await app.admin(token, 'GET', '/users?limit=200')).status).toBe(200);

    const sub = created[0].sub;
    const locked = await app.admin<User>(token, 'PATCH', `/users/${sub}`, { status: 'locked', claims: { name: 'Renamed' } });
    expect(locked.body).toMatchObject({ status: 'locked', claims: { name: 'Renamed' } });
    expect((await app.admin<Page<User>>(token, 'GET', `/users?q=${tag}&status=locked`)).body.items.map((u) => u.sub)).toEqual([sub]);
    expect((await app.admin<User>(token, 'PATCH', `/users/${sub}`, { status: 'active' })).body.status).toBe('active');

    const entries = await auditOf(`subject=${sub}&type=admin.*`);
    expect(entries.map((e) => [e.type, e.details['status']])).toEqual([
      ['admin.user.updated', 'active'],
      ['admin.user.updated', 'locked'],
      ['admin.user.created', undefined],
    ]);
    expect((await app.admin(token, 'PATCH', `/users/${sub}`, { status: 'sleeping' })).status).toBe(400);
    expect((await app.admin(token, 'PATCH', `/users/${sub}`, { password_hash: 'x' })).status).toBe(400);
  });

  it('searches email prefixes literally: an underscore or a percent sign matches only itself', async () => {
    const stamp = Date.now();
    const exact = await app.admin<User>(token, 'POST', '/users', { email: `under_score${stamp}@example.com` });
    await app.admin(token, 'POST', '/users', { email: `underXscore${stamp}@example.com` });
    expect((await app.admin<Page<User>>(token, 'GET', `/users?q=under_score${stamp}`)).body.items.map((u) => u.sub)).toEqual([exact.body.sub]);
    expect((await app.admin<Page<User>>(token, 'GET', '/users?q=%25')).body.items).toEqual([]);
  });

  it("resets a user's MFA, ends their sessions, lists and revokes their grants, and deletes them", async () => {
    const person = await app.user();
    const mfa = await app.admin<{ removed: string[] }>(token, 'POST', `/users/${person.sub}/mfa/reset`);
    expect(mfa).toMatchObject({ status: 200, body: { removed: [] } });
    expect(await app.admin(token, 'DELETE', `/users/${person.sub}/sessions`)).toMatchObject({ status: 200, body: { ended: 0 } });

    const grants = await app.admin<Array<{ id: string; client_id: string }>>(token, 'GET', `/users/${person.sub}/grants`);
    expect(grants.status).toBe(200);
    expect(grants.body).toHaveLength(1); // the password grant's remembered consent
    expect((await app.admin(token, 'DELETE', `/users/${person.sub}/grants/${grants.body[0].id}`)).status).toBe(204);
    expect((await app.admin<unknown[]>(token, 'GET', `/users/${person.sub}/grants`)).body).toEqual([]);

    expect((await app.admin(token, 'DELETE', `/users/${person.sub}`)).status).toBe(204);
    expect((await app.admin(token, 'GET', `/users/${person.sub}`)).status).toBe(404);
    expect((await auditOf(`subject=${person.sub}&type=admin.*`)).map((e) => e.type)).toEqual([
      'admin.user.deleted',
      'admin.user.grant_revoked',
      'admin.user.sessions_ended',
      'admin.user.mfa_reset',
    ]);
  });

  it('records security events from the authentication service: failed and successful logins with the IP', async () => {
    const person = await app.user();
    await app.userToken(person.email, 'not the password');
    await eventually(async () => {
      const entries = await auditOf(`subject=${person.sub}&type=login.*`);
      expect(entries.map((e) => [e.type, e.actor])).toEqual([
        ['login.failed', { type: 'user', id: person.sub }],
        ['login.succeeded', { type: 'user', id: person.sub }],
      ]);
    });
  });

  it("records the token service's security events: consent.granted, grant.revoked, key.rotated", async () => {
    const person = await app.user();
    const [grant] = (await app.admin<Array<{ id: string; client_id: string }>>(token, 'GET', `/users/${person.sub}/grants`)).body;
    await app.admin(token, 'DELETE', `/users/${person.sub}/grants/${grant.id}`);
    const rotated = await app.admin<{ rotated: Array<{ kid: string }> }>(token, 'POST', '/keys/rotate', { alg: 'EdDSA' });
    await eventually(async () => {
      const entries = await auditOf(`subject=${person.sub}&type=consent.granted,grant.revoked`);
      expect(entries.map((e) => [e.type, e.client_id, e.details['grant_id']])).toEqual([
        ['grant.revoked', grant.client_id, grant.id],
        ['consent.granted', grant.client_id, grant.id],
      ]);
      const keys = await auditOf('type=key.rotated');
      expect(keys[0]).toMatchObject({ actor: { type: 'system' }, details: { alg: 'EdDSA', kid: rotated.body.rotated[0].kid } });
    });
  });

  it('filters by type family, actor and time, pages with a cursor, and exports NDJSON', async () => {
    const since = new Date().toISOString();
    for (let i = 0; i < 3; i++) await app.admin(token, 'POST', '/users', { email: `export-${Date.now()}-${i}@example.com` });
    const page1 = await app.admin<Page<AuditEntry>>(token, 'GET', `/audit?type=admin.user.created&actor=tessera-cli&since=${encodeURIComponent(since)}&limit=2`);
    expect(page1.body.items).toHaveLength(2);
    const page2 = await app.admin<Page<AuditEntry>>(token, 'GET', `/audit?type=admin.user.created&actor=tessera-cli&since=${encodeURIComponent(since)}&limit=2&cursor=${page1.body.next_cursor}`);
    expect(page2.body.items).toHaveLength(1);
    expect(page2.body.next_cursor).toBeUndefined();
    const ids = [...page1.body.items, ...page2.body.items].map((e) => Number(e.id));
    expect(ids).toEqual([...ids].sort((a, b) => b - a));

    const exported = await app.admin<string>(token, 'GET', `/audit/export?type=admin.user.created&since=${encodeURIComponent(since)}`);
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    const lines = (exported.body as string).trim().split('\n').map((l) => JSON.parse(l) as AuditEntry);
    expect(lines.map((e) => e.id)).toEqual([...page1.body.items, ...page2.body.items].map((e) => e.id));

    for (const bad of ['type=DROP%20TABLE', 'since=yesterday', 'colour=blue', 'since=2030-01-01T00:00:00Z&until=2020-01-01T00:00:00Z']) {
      expect({ bad, status: (await app.admin(token, 'GET', `/audit?${bad}`)).status }).toEqual({ bad, status: 400 });
    }
  });

  it('keeps no guessable trace of a password sent with an Idempotency-Key: the request is remembered by a keyed hash', async () => {
    const body = { email: `keyed-${Date.now()}@example.com`, password: 'Winter2024! is my password' };
    expect((await app.admin(token, 'POST', '/users', body, { 'idempotency-key': `kh-${Date.now()}` })).status).toBe(201);
    const rows = (await app.adminDataSource().query('SELECT "request_hash" FROM "idempotency_keys"')) as Array<{ request_hash: string }>;
    const plain = createHash('sha256').update(JSON.stringify(body)).digest('hex');
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.map((r) => r.request_hash)).not.toContain(plain);
  });

  it('never writes a password or a client secret into the audit log', async () => {
    const password = `a secret passphrase ${Date.now()}`;
    await app.admin(token, 'POST', '/users', { email: `secretive-${Date.now()}@example.com`, password });
    const client = await app.admin<{ client_secret: string }>(token, 'POST', '/clients', { grant_types: ['client_credentials'] });
    const exported = (await app.admin<string>(token, 'GET', '/audit/export')).body as string;
    expect(exported).not.toContain(password);
    expect(exported).not.toContain(client.body.client_secret);
  });
});
