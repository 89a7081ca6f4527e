import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { e2eEngines } from './support/engines';
import { runCli, type CliRun } from './support/cli';
import { startPlatform, type RunningPlatform } from './support/platform';

type Run = CliRun;

type Client = { client_id: string; client_name?: string; client_secret?: string; disabled?: boolean };
type User = { sub: string; email: string; status: string; roles: string[] };
type Revocation = { id: string; client_id: string; status: string; disable_client: boolean; requested_by: string; grants?: number; sessions?: number };
type AuditEntry = { type: string; actor: { type: string; id?: string }; client_id?: string; subject?: string; details: Record<string, unknown> };

/**
 * The admin CLI (`npm run tessera -- …`) against the built platform, as an operator runs it: from
 * the platform's public origin and its data directory only (the tessera-cli secret read from the
 * 0600 cli.secret file the first start wrote), its --json output parsed and checked against what
 * the platform then does.
 */
describe.each(e2eEngines())('the admin CLI over the admin API of the platform (%s)', (engine) => {
  let platform: RunningPlatform;
  let cliSecret: string;
  const runs: Run[] = [];
  const startedAt = new Date().toISOString();

  const cli = async (args: string[], env: Record<string, string> = {}): Promise<Run> => {
    const result = await runCli(platform, args, env);
    runs.push(result);
    return result;
  };
  /** A command that must succeed; its --json output parsed. */
  const json = async <T>(...args: string[]): Promise<T> => {
    const run = await cli([...args, '--json']);
    if (run.status !== 0) throw new Error(`tessera ${args.join(' ')} exited ${run.status}: ${run.stderr}`);
    return JSON.parse(run.stdout) as T;
  };

  /** client_credentials at the token endpoint, as the client itself. */
  const token = async (client: Client, secret: string) => {
    const res = await fetch(`${platform.issuer}/oauth2/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${client.client_id}:${secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials' }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, string> };
  };
  const introspect = async (client: Client, secret: string, accessToken: string) => {
    const res = await fetch(`${platform.issuer}/oauth2/introspect`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${client.client_id}:${secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: accessToken }),
    });
    return (await res.json()) as { active: boolean };
  };

  let orders: Client;
  let ordersSecret: string;
  let ada: User;

  beforeAll(async () => {
    platform = await startPlatform({ engine });
    cliSecret = readFileSync(join(platform.dataDir, 'cli.secret'), 'utf8').trim();
  }, 60_000);
  afterAll(() => platform?.stop());

  it('creates a client (its secret shown once) and finds it in the list, as JSON and as a table', async () => {
    const created = await cli(['clients', 'create', JSON.stringify({ client_name: 'Orders sync', grant_types: ['client_credentials'] }), '--json']);
    expect(created.status).toBe(0);
    orders = JSON.parse(created.stdout) as Client;
    expect(orders).toMatchObject({ client_name: 'Orders sync', client_secret: expect.stringMatching(/^tsr_cs_/) });
    expect(created.stderr).toContain('shown in this answer only');
    ordersSecret = orders.client_secret as string;
    expect((await token(orders, ordersSecret)).status).toBe(200);

    const all = await json<Client[]>('clients', 'list');
    expect(all.map((c) => c.client_id)).toEqual(expect.arrayContaining([orders.client_id, 'tessera-cli']));
    expect(all.every((c) => c.client_secret === undefined)).toBe(true);
    expect(await json<Client[]>('clients', 'list', '--q', 'orders sync')).toEqual([expect.objectContaining({ client_id: orders.client_id })]);
    expect(await json<Client[]>('clients', 'list', '--limit', '1')).toHaveLength(1);

    const table = await cli(['clients', 'list', '--q', 'orders']);
    expect(table.status).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(/^CLIENT ID +NAME +AUTH +GRANT TYPES +STATE +ADMIN$/);
    expect(table.stdout).toMatch(new RegExp(`^${orders.client_id} +Orders sync +client_secret_basic +client_credentials +enabled +no$`, 'm'));
  });

  it('rotates the secret: the new one works, the old one stops at once', async () => {
    const rotated = await json<Client>('clients', 'rotate-secret', orders.client_id);
    expect(rotated.client_id).toBe(orders.client_id);
    expect(rotated.client_secret).toMatch(/^tsr_cs_/);
    expect(rotated.client_secret).not.toBe(ordersSecret);
    expect((await token(orders, ordersSecret)).body['error']).toBe('invalid_client');
    ordersSecret = rotated.client_secret as string;
    expect((await token(orders, ordersSecret)).status).toBe(200);
  });

  it('revokes the client everywhere and waits until the token service completed it: the token it held is inactive', async () => {
    const before = await token(orders, ordersSecret);
    expect(before.status).toBe(200);
    expect((await introspect(orders, ordersSecret, before.body['access_token'])).active).toBe(true);

    const revocation = await json<Revocation>('clients', 'revoke', orders.client_id, '--wait', '--timeout', '20');
    expect(revocation).toMatchObject({ client_id: orders.client_id, status: 'completed', disable_client: false, requested_by: 'client:tessera-cli' });
    expect(await json<Revocation>('revocations', 'show', revocation.id)).toEqual(revocation);
    expect((await introspect(orders, ordersSecret, before.body['access_token'])).active).toBe(false);

    // Revoking is not disabling: the client may get new tokens; --disable also turns it off.
    expect((await json<Client>('clients', 'show', orders.client_id)).disabled).toBe(false);
    expect((await token(orders, ordersSecret)).status).toBe(200);
    const disabling = await json<Revocation>('clients', 'revoke', orders.client_id, '--disable', '--wait', '--timeout', '20');
    expect(disabling).toMatchObject({ status: 'completed', disable_client: true });
    expect((await json<Client>('clients', 'show', orders.client_id)).disabled).toBe(true);
    expect((await token(orders, ordersSecret)).status).toBeGreaterThanOrEqual(400);
  }, 90_000);

  it('creates, finds and locks a user', async () => {
    ada = await json<User>('users', 'create', '--email', 'ada.cli@example.com', '--password', 'analytical engine 1843', '--claims', '{"name":"Ada Lovelace"}');
    expect(ada).toMatchObject({ email: 'ada.cli@example.com', status: 'active', roles: [] });
    expect(JSON.stringify(ada)).not.toContain('analytical engine 1843');

    expect(await json<User[]>('users', 'list', '--q', 'ada.cli@')).toEqual([expect.objectContaining({ sub: ada.sub, status: 'active' })]);
    expect(await json<User>('users', 'lock', ada.sub)).toMatchObject({ sub: ada.sub, status: 'locked' });
    expect((await json<User[]>('users', 'list', '--status', 'locked')).map((u) => u.sub)).toContain(ada.sub);
    expect((await json<User>('users', 'show', ada.sub)).status).toBe('locked');
    expect((await json<User>('users', 'unlock', ada.sub)).status).toBe('active');
  });

  it('rotates a signing key, which the JWKS publishes before it signs anything', async () => {
    const result = await json<{ rotated: Array<{ alg: string; kid: string }> }>('keys', 'rotate', 'ES256');
    expect(result.rotated).toEqual([expect.objectContaining({ alg: 'ES256', kid: expect.any(String) })]);
    const kid = result.rotated[0].kid;
    expect((await json<Array<{ kid: string }>>('keys', 'list')).map((k) => k.kid)).toContain(kid);
    const jwks = (await (await fetch(`${platform.issuer}/oauth2/jwks`)).json()) as { keys: Array<{ kid: string }> };
    expect(jwks.keys.map((k) => k.kid)).toContain(kid);
  });

  it('exports the audit log as NDJSON with every action just made, by tessera-cli, to stdout or a 0600 file', async () => {
    const run = await cli(['audit', 'export', '--since', startedAt, '--type', 'admin.*']);
    expect(run.status).toBe(0);
    const entries = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as AuditEntry);
    const types = entries.map((e) => e.type);
    expect(types).toEqual(
      expect.arrayContaining(['admin.client.created', 'admin.client.secret_rotated', 'admin.client.access_revoked', 'admin.user.created', 'admin.user.updated', 'admin.key.rotated']),
    );
    expect(entries.every((e) => e.actor.type === 'client' && e.actor.id === 'tessera-cli')).toBe(true);
    expect(entries.find((e) => e.type === 'admin.client.created')).toMatchObject({ client_id: orders.client_id });
    expect(entries.filter((e) => e.type === 'admin.client.access_revoked').map((e) => [e.client_id, e.details['disable_client']])).toEqual([
      [orders.client_id, true],
      [orders.client_id, false],
    ]);
    expect(entries.find((e) => e.type === 'admin.user.created')).toMatchObject({ subject: ada.sub });
    expect(entries.filter((e) => e.type === 'admin.user.updated').map((e) => e.details['status'])).toEqual(expect.arrayContaining(['locked', 'active']));
    // Newest first: the key rotation came last.
    expect(types[0]).toBe('admin.key.rotated');

    const dir = mkdtempSync(join(tmpdir(), 'tessera-cli-e2e-'));
    try {
      const out = join(dir, 'audit.ndjson');
      const toFile = await cli(['audit', 'export', '--since', startedAt, '--type', 'admin.*', '--out', out]);
      expect(toFile.status).toBe(0);
      expect(toFile.stdout).toBe('');
      expect(toFile.stderr).toBe(`tessera: Wrote ${entries.length} audit entries to ${out}.\n`);
      expect(statSync(out).mode & 0o777).toBe(0o600);
      expect(readFileSync(out, 'utf8')).toBe(run.stdout);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says what went wrong in one line: a problem (exit 1), a usage mistake (exit 2), a wrong or missing secret', async () => {
    const missing = await cli(['clients', 'show', 'no-such-client']);
    expect(missing).toMatchObject({ status: 1, stdout: '' });
    expect(missing.stderr).toBe("tessera: No client with id 'no-such-client'. (not_found)\n");

    const weak = await cli(['users', 'create', '--email', 'weak.cli@example.com', '--password', 'password1']);
    expect(weak.status).toBe(1);
    expect(weak.stderr).toMatch(/^tessera: .+ \(weak_password\)\n$/);

    const usage = await cli(['users', 'list', '--status', 'sleepy']);
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain('usage: npm run tessera -- users list');

    const wrong = await cli(['keys', 'list'], { TESSERA_CLI_SECRET: 'not-the-secret' });
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toMatch(/^tessera: The token service refused the tessera-cli client \(invalid_client\)\..* TESSERA_CLI_SECRET/);

    const none = await cli(['keys', 'list'], { TESSERA_DATA_DIR: join(platform.dataDir, 'elsewhere') });
    expect(none.status).toBe(1);
    expect(none.stderr).toContain('set TESSERA_CLI_SECRET, or TESSERA_DATA_DIR');
  });

  it('keeps resource-servers on the internal API, as the operator', async () => {
    const created = await cli(['resource-servers', 'create', JSON.stringify({ identifier: 'https://orders.example.com', name: 'Orders', scopes: ['orders:read'] }), '--json'], {
      TESSERA_INTERNAL_PORT: new URL(platform.internalUrl).port,
    });
    expect(created.status).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ identifier: 'https://orders.example.com' });
    const list = await cli(['resource-servers', 'list', '--json'], { TESSERA_INTERNAL_PORT: new URL(platform.internalUrl).port });
    expect((JSON.parse(list.stdout) as Array<{ identifier: string }>).map((r) => r.identifier)).toEqual(expect.arrayContaining(['https://orders.example.com']));
  });

  it('never shows the tessera-cli secret or an access token, on any output or in the log', () => {
    expect(runs.length).toBeGreaterThan(10);
    for (const run of runs) {
      expect(run.stdout).not.toContain(cliSecret);
      expect(run.stderr).not.toContain(cliSecret);
      expect(run.stdout + run.stderr).not.toMatch(/tsr_at_/);
    }
    expect(platform.output()).not.toContain(cliSecret);
  });
});
