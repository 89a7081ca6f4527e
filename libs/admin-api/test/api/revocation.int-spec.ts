import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import type { DatabaseEngine } from '@tessera/runtime';
import { eventually, freePort, testEngines, testRedisUrl } from '@tessera/test-kit';
import { startAdminPlatform, type AdminPlatform } from '../support/admin-platform';

type Client = { client_id: string; client_secret: string };
interface Revocation {
  id: string;
  status: 'pending' | 'completed';
  grants?: number;
  sessions?: number;
}

/** Each engine on the in-process queue, and on BullMQ when REDIS_URL is set. */
function cases(): Array<{ engine: DatabaseEngine; queue: 'in-process' | 'bullmq' }> {
  const engines = testEngines();
  const list: Array<{ engine: DatabaseEngine; queue: 'in-process' | 'bullmq' }> = engines.map((engine) => ({ engine, queue: 'in-process' }));
  if (testRedisUrl()) list.push({ engine: engines.includes('postgres') ? 'postgres' : 'sqlite', queue: 'bullmq' });
  return list;
}

/**
 * "Revoke client access" end to end: tokens for several users and clients, one client revoked,
 * every one of its tokens dead and the others alive; one user × one client likewise.
 */
describe.each(cases())('admin API: revocation everywhere ($engine, $queue queue)', ({ engine, queue }) => {
  let app: AdminPlatform;
  let admin: string;

  beforeAll(async () => {
    app = await startAdminPlatform({ engine, redisUrl: queue === 'bullmq' ? testRedisUrl() : undefined });
    admin = await app.cliToken();
  });
  afterAll(() => app?.close());

  const basic = (c: Client) => `Basic ${Buffer.from(`${c.client_id}:${c.client_secret}`).toString('base64')}`;
  const form = async (path: string, params: Record<string, string>, client: Client) => {
    const res = await fetch(`${app.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(client) }, body: new URLSearchParams(params).toString() });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const newClient = async (name: string, format: 'reference' | 'jwt') =>
    (
      await app.admin<Client>(admin, 'POST', '/clients', {
        client_name: name,
        grant_types: ['password', 'refresh_token', 'client_credentials'],
        allowed_scopes: ['openid', 'offline_access', 'reports:read'],
        access_token_format: format,
        default_audience: ['https://reports.example.com'],
      })
    ).body;
  /** A user's access and refresh token at a client (the password grant, offline_access). */
  const tokensOf = async (client: Client, user: { email: string; password: string }) => {
    const res = await form('/oauth2/token', { grant_type: 'password', username: user.email, password: user.password, scope: 'openid offline_access' }, client);
    expect(res.status).toBe(200);
    return { client, access: res.body['access_token'] as string, refresh: res.body['refresh_token'] as string };
  };
  const active = async (t: { client: Client; access: string }) => (await form('/oauth2/introspect', { token: t.access }, t.client)).body['active'];
  const refreshes = async (t: { client: Client; refresh: string }) => (await form('/oauth2/token', { grant_type: 'refresh_token', refresh_token: t.refresh }, t.client)).status === 200;
  const completed = (id: string) =>
    eventually(
      async () => {
        const res = await app.admin<Revocation>(admin, 'GET', `/revocations/${id}`);
        expect(res.body.status).toBe('completed');
        return res.body;
      },
      { timeoutMs: 15_000 },
    );

  it("revokes one client's access for every user: its tokens die, the other client's live", async () => {
    const a = await newClient('Revoked app', 'reference');
    const b = await newClient('Other app', 'jwt');
    const people = [await app.user(), await app.user()];
    const ofA = [await tokensOf(a, people[0]), await tokensOf(a, people[1])];
    const ofB = [await tokensOf(b, people[0]), await tokensOf(b, people[1])];
    const machine = await form('/oauth2/token', { grant_type: 'client_credentials', scope: 'reports:read' }, a);

    const res = await app.admin<Revocation>(admin, 'POST', `/clients/${a.client_id}/revocations`, {});
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ status: 'pending', client_id: a.client_id });
    const done = await completed(res.body.id);
    expect(done.grants).toBe(2);

    for (const t of ofA) {
      expect(await active(t)).toBe(false);
      expect(await refreshes(t)).toBe(false);
    }
    expect(await active({ client: a, access: machine.body['access_token'] as string })).toBe(false);
    for (const t of ofB) {
      expect(await active(t)).toBe(true);
      expect(await refreshes(t)).toBe(true);
    }
    expect((await app.admin<{ items: Array<{ type: string }> }>(admin, 'GET', `/audit?client_id=${a.client_id}&type=admin.client.access_revoked,revocation.completed`)).body.items.map((e) => e.type)).toEqual(
      expect.arrayContaining(['admin.client.access_revoked', 'revocation.completed']),
    );
    // The client still works for what comes after the revocation.
    expect((await tokensOf(a, people[0])).access).toEqual(expect.any(String));
  });

  it('revokes one user × one client, and disables a client when asked', async () => {
    const a = await newClient('Shared app', 'jwt');
    const [alice, bob] = [await app.user(), await app.user()];
    const [aliceAtA, bobAtA] = [await tokensOf(a, alice), await tokensOf(a, bob)];

    const res = await app.admin<Revocation>(admin, 'POST', `/users/${alice.sub}/revocations`, { client_id: a.client_id });
    expect(res.status).toBe(202);
    await completed(res.body.id);
    const entries = (await app.admin<{ items: Array<{ type: string; subject?: string; client_id?: string; details: Record<string, unknown> }> }>(admin, 'GET', `/audit?subject=${alice.sub}&type=admin.user.client_access_revoked`)).body.items;
    expect(entries).toEqual([expect.objectContaining({ client_id: a.client_id, details: { revocation_id: res.body.id, disable_client: false } })]);
    expect(await active(aliceAtA)).toBe(false);
    expect(await active(bobAtA)).toBe(true);

    const disabling = await app.admin<Revocation>(admin, 'POST', `/clients/${a.client_id}/revocations`, { disable_client: true });
    await completed(disabling.body.id);
    expect(await active(bobAtA)).toBe(false);
    const refused = await form('/oauth2/token', { grant_type: 'client_credentials', scope: 'reports:read' }, a);
    expect(refused).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
  });

  it('refuses a revocation of an unknown client or user, and bad fields', async () => {
    expect((await app.admin(admin, 'POST', '/clients/no-such-client/revocations', {})).status).toBe(404);
    expect((await app.admin(admin, 'POST', '/clients/tessera-cli/revocations', { disable_client: 'yes' })).status).toBe(400);
    expect((await app.admin(admin, 'POST', '/users/00000000-0000-4000-8000-000000000000/revocations', { client_id: 'tessera-cli' })).status).toBe(404);
    expect((await app.admin(admin, 'GET', '/revocations/not-a-uuid')).status).toBe(404);
  });
});

/** A private redis-server (no persistence) this test may stop and start again on the same port. */
class PrivateRedis {
  private process?: ChildProcess;
  constructor(readonly port: number) {}

  get url() {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start() {
    this.process = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    await eventually(() => expect(spawnSync('redis-cli', ['-p', String(this.port), 'ping'], { encoding: 'utf8' }).stdout.trim()).toBe('PONG'), { timeoutMs: 10_000, intervalMs: 50 });
  }

  async stop() {
    const p = this.process;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise((resolve) => p.once('exit', resolve));
    p.kill('SIGKILL');
    await exited;
  }
}

const hasRedisServer = spawnSync('redis-server', ['--version']).status === 0;

// Where the CI gives Redis (REDIS_URL), this machine has redis-server: the test starts its own to stop it.
if (testRedisUrl() && hasRedisServer) describe('admin API: a revocation while Redis is down (BullMQ)', () => {
  let redis: PrivateRedis;
  let app: AdminPlatform;

  beforeAll(async () => {
    // test-kit's freePort picks the port outside the kernel's ephemeral range: Redis binds it
    // again after the test stopped it, and in between no outgoing connection may take it.
    redis = new PrivateRedis(await freePort());
    await redis.start();
    app = await startAdminPlatform({ redisUrl: redis.url });
  });
  afterAll(async () => {
    await app?.close();
    await redis?.stop();
  });

  it('answers 202 at once, then completes after Redis returns: nothing is lost', async () => {
    const admin = await app.cliToken();
    const client = (await app.admin<{ client_id: string; client_secret: string }>(admin, 'POST', '/clients', { grant_types: ['client_credentials'], allowed_scopes: ['reports:read'] })).body;
    const basic = `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}`;
    const call = async (params: Record<string, string>, path = '/oauth2/token') =>
      (await fetch(`${app.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic }, body: new URLSearchParams(params).toString() })).json() as Promise<Record<string, unknown>>;
    const { access_token } = await call({ grant_type: 'client_credentials', scope: 'reports:read' });

    await redis.stop();
    const res = await app.admin<{ id: string; status: string }>(admin, 'POST', `/clients/${client.client_id}/revocations`, {});
    expect(res).toMatchObject({ status: 202, body: { status: 'pending' } });
    // Tokens keep being issued and read while Redis is away.
    expect((await call({ token: access_token as string }, '/oauth2/introspect'))['active']).toBe(true);
    await new Promise((r) => setTimeout(r, 1500));
    expect((await app.admin<{ status: string }>(admin, 'GET', `/revocations/${res.body.id}`)).body.status).toBe('pending');

    await redis.start();
    await eventually(async () => expect((await app.admin<{ status: string }>(admin, 'GET', `/revocations/${res.body.id}`)).body.status).toBe('completed'), { timeoutMs: 30_000, intervalMs: 200 });
    expect((await call({ token: access_token as string }, '/oauth2/introspect'))['active']).toBe(false);
    // Its own timeout: 1.5 s with Redis away, up to 10 s for it to start again and 30 s to complete
    // do not fit in the default 30 s.
  }, 60_000);
});
