import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakePlatform, fakeTerminal } from '../test/fake-platform';
import { REVOCATION_WAIT_SECONDS } from './commands';
import { helpText, runCli } from './run';

const CLIENT = {
  client_id: 'c1',
  client_name: 'Notes',
  token_endpoint_auth_method: 'client_secret_basic',
  grant_types: ['client_credentials'],
  admin: false,
  disabled: false,
};

describe('the command line, end to end against a fake platform', () => {
  it('--json prints every item of a list as one JSON array; without it, a table', async () => {
    const platform = new FakePlatform().route('GET /admin/api/clients', (req) =>
      req.url.searchParams.has('cursor') ? { body: { items: [{ ...CLIENT, client_id: 'c2', admin: true }] } } : { body: { items: [CLIENT], next_cursor: 'Yw' } },
    );
    const json = fakeTerminal(platform);
    expect(await runCli(['clients', 'list', '--json'], json.ctx)).toBe(0);
    expect(JSON.parse(json.stdout())).toEqual([CLIENT, { ...CLIENT, client_id: 'c2', admin: true }]);
    expect(json.stderr()).toBe('');

    const people = fakeTerminal(platform);
    expect(await runCli(['clients', 'list'], people.ctx)).toBe(0);
    expect(people.stdout()).toBe(
      [
        'CLIENT ID  NAME   AUTH                 GRANT TYPES         STATE    ADMIN',
        'c1         Notes  client_secret_basic  client_credentials  enabled  no',
        'c2         Notes  client_secret_basic  client_credentials  enabled  yes',
        '',
      ].join('\n'),
    );
  });

  it('an empty list is [] for scripts and a sentence for people', async () => {
    const platform = new FakePlatform().route('GET /admin/api/users', () => ({ body: { items: [] } }));
    const json = fakeTerminal(platform);
    await runCli(['users', 'list', '--status', 'locked', '--json'], json.ctx);
    expect(JSON.parse(json.stdout())).toEqual([]);
    expect(platform.adminRequests()[0].url.searchParams.get('status')).toBe('locked');
    const people = fakeTerminal(platform);
    await runCli(['users', 'list'], people.ctx);
    expect(people.stdout()).toBe('No users.\n');
  });

  it('a single object is the API JSON for scripts, key: value lines for people; a new secret comes with a warning on stderr', async () => {
    const created = { ...CLIENT, client_secret: 'tsr_cs_shown_once' };
    const platform = new FakePlatform().route('POST /admin/api/clients', (req) => ({ status: 201, body: { ...created, client_name: JSON.parse(req.body).client_name } }));
    const json = fakeTerminal(platform);
    expect(await runCli(['clients', 'create', '{"client_name":"Notes","grant_types":["client_credentials"]}', '--json'], json.ctx)).toBe(0);
    expect(JSON.parse(json.stdout())).toEqual(created);
    expect(JSON.parse(platform.adminRequests()[0].body)).toEqual({ client_name: 'Notes', grant_types: ['client_credentials'] });
    expect(json.stderr()).toBe('tessera: The client_secret is shown in this answer only: keep it now.\n');

    const people = fakeTerminal(platform);
    await runCli(['clients', 'create', '{"client_name":"Notes"}'], people.ctx);
    expect(people.stdout()).toContain('client_id:                  c1\n');
    expect(people.stdout()).toContain('client_secret:              tsr_cs_shown_once\n');
  });

  it('a problem is its detail on one line of stderr and exit code 1, with nothing on stdout', async () => {
    const platform = new FakePlatform().route('POST /admin/api/users', () => ({
      status: 409,
      body: { type: 'urn:tessera:problem:conflict', title: 'Conflict', status: 409, detail: 'An account with this email address exists already.' },
    }));
    const t = fakeTerminal(platform);
    expect(await runCli(['users', 'create', '--email', 'ada@example.com', '--json'], t.ctx)).toBe(1);
    expect(t.stdout()).toBe('');
    expect(t.stderr()).toBe('tessera: An account with this email address exists already. (conflict)\n');
  });

  it('a usage mistake is exit code 2 with the command usage, and nothing is sent', async () => {
    const platform = new FakePlatform();
    const cases: Array<[string[], string]> = [
      [['users', 'create', '--password', 'x'], 'tessera: users create needs --email.\nusage: npm run tessera -- users create --email <email>'],
      [['users', 'create', '--email', 'a@example.com', '--claims', '{nope'], 'tessera: --claims must be JSON: {nope\n'],
      [['clients', 'revoke', 'c1', '--timeout', '5'], 'tessera: --timeout goes with --wait'],
      [['users', 'list', '--status', 'gone'], 'tessera: --status must be one of active, locked, disabled (got gone).'],
      [['clients', 'list', '--limit', '0'], 'tessera: --limit must be a whole number from 1 (got 0).'],
    ];
    for (const [argv, message] of cases) {
      const t = fakeTerminal(platform);
      expect(await runCli(argv, t.ctx)).toBe(2);
      expect(t.stderr()).toContain(message);
      expect(t.stdout()).toBe('');
    }
    expect(platform.requests).toEqual([]);
  });

  it('an unknown command shows the help on stderr with exit code 2; help itself goes to stdout with 0', async () => {
    const platform = new FakePlatform();
    const unknown = fakeTerminal(platform);
    expect(await runCli(['clients', 'frobnicate'], unknown.ctx)).toBe(2);
    expect(unknown.stderr()).toBe(`tessera: unknown command: clients frobnicate\n\n${helpText()}`);
    const help = fakeTerminal(platform);
    expect(await runCli(['help'], help.ctx)).toBe(0);
    expect(help.stdout()).toBe(helpText());
    expect(helpText()).toMatch(/internal API, as the operator \(the admin API has no route for resource servers yet\):\n {2}resource-servers create/);
    const one = fakeTerminal(platform);
    expect(await runCli(['clients', 'revoke', '--help'], one.ctx)).toBe(0);
    expect(one.stdout()).toMatch(/^usage: npm run tessera -- clients revoke <client_id> \[--disable\] \[--wait/);
  });

  it('users create sends what was given, roles repeated, and leaves email_verified to the API unless --unverified', async () => {
    const platform = new FakePlatform().route('POST /admin/api/users', (req) => ({ status: 201, body: { sub: 'u1', ...JSON.parse(req.body) } }));
    await runCli(['users', 'create', '--email', 'ada@example.com', '--password', 'analytical engine', '--claims', '{"name":"Ada"}', '--role', 'admin', '--role', 'auditor'], fakeTerminal(platform).ctx);
    await runCli(['users', 'create', '--email', 'bob@example.com', '--unverified'], fakeTerminal(platform).ctx);
    expect(platform.adminRequests().map((r) => JSON.parse(r.body))).toEqual([
      { email: 'ada@example.com', password: 'analytical engine', claims: { name: 'Ada' }, roles: ['admin', 'auditor'] },
      { email: 'bob@example.com', email_verified: false },
    ]);
  });

  it('users lock and unlock set the status; ids are path-encoded', async () => {
    const platform = new FakePlatform().route('PATCH /admin/api/users/a%2Fb', (req) => ({ body: { sub: 'a/b', ...JSON.parse(req.body) } }));
    const t = fakeTerminal(platform);
    expect(await runCli(['users', 'lock', 'a/b', '--json'], t.ctx)).toBe(0);
    expect(JSON.parse(t.stdout())).toEqual({ sub: 'a/b', status: 'locked' });
    await runCli(['users', 'unlock', 'a/b'], fakeTerminal(platform).ctx);
    expect(platform.adminRequests().map((r) => [r.method, r.url.pathname, JSON.parse(r.body)])).toEqual([
      ['PATCH', '/admin/api/users/a%2Fb', { status: 'locked' }],
      ['PATCH', '/admin/api/users/a%2Fb', { status: 'active' }],
    ]);
  });

  it('keys rotate shows what rotated for people and the whole answer for scripts', async () => {
    const answer = { rotated: [{ alg: 'ES256', kid: 'new', previousKid: 'old' }] };
    const platform = new FakePlatform().route('POST /admin/api/keys/rotate', () => ({ body: answer }));
    const json = fakeTerminal(platform);
    await runCli(['keys', 'rotate', 'ES256', '--json'], json.ctx);
    expect(JSON.parse(json.stdout())).toEqual(answer);
    expect(JSON.parse(platform.adminRequests()[0].body)).toEqual({ alg: 'ES256' });
    const people = fakeTerminal(platform);
    await runCli(['keys', 'rotate'], people.ctx);
    expect(people.stdout()).toBe('ALG    NEW KID  PREVIOUS KID\nES256  new      old\n');
    expect(JSON.parse(platform.adminRequests()[1].body)).toEqual({});
  });
});

describe('clients revoke', () => {
  const revocation = { id: 'r1', client_id: 'c1', disable_client: true, status: 'pending', requested_by: 'client:tessera-cli', requested_at: '2026-11-28T09:00:00.000Z' };

  it('answers the revocation at once without --wait, and sends disable_client with --disable', async () => {
    const platform = new FakePlatform().route('POST /admin/api/clients/c1/revocations', () => ({ status: 202, body: revocation }));
    const t = fakeTerminal(platform);
    expect(await runCli(['clients', 'revoke', 'c1', '--disable', '--json'], t.ctx)).toBe(0);
    expect(JSON.parse(t.stdout())).toEqual(revocation);
    expect(JSON.parse(platform.adminRequests()[0].body)).toEqual({ disable_client: true });
    expect(t.slept).toEqual([]);
  });

  it('--wait polls the revocation, backing off, until it is completed, and prints the completed one', async () => {
    let polls = 0;
    const completed = { ...revocation, status: 'completed', completed_at: '2026-11-28T09:00:01.000Z', grants: 3, sessions: 1 };
    const platform = new FakePlatform()
      .route('POST /admin/api/clients/c1/revocations', () => ({ status: 202, body: revocation }))
      .route('GET /admin/api/revocations/r1', () => ({ body: ++polls < 4 ? revocation : completed }));
    const t = fakeTerminal(platform);
    expect(await runCli(['clients', 'revoke', 'c1', '--wait', '--json'], t.ctx)).toBe(0);
    expect(JSON.parse(t.stdout())).toEqual(completed);
    expect(t.slept).toEqual([200, 300, 450, 675]);
    expect(platform.tokensIssued).toBe(1);
  });

  it('--wait gives up after its bound: the pending revocation on stdout, exit code 1, and how to look again', async () => {
    const platform = new FakePlatform()
      .route('POST /admin/api/clients/c1/revocations', () => ({ status: 202, body: revocation }))
      .route('GET /admin/api/revocations/r1', () => ({ body: revocation }));
    const t = fakeTerminal(platform);
    expect(await runCli(['clients', 'revoke', 'c1', '--wait', '--timeout', '5', '--json'], t.ctx)).toBe(1);
    expect(JSON.parse(t.stdout())).toEqual(revocation);
    expect(t.stderr()).toBe('tessera: The revocation r1 is still pending after 5 s; `npm run tessera -- revocations show r1` tells when it completes.\n');
    expect(t.slept.reduce((a, b) => a + b, 0)).toBe(5000);

    const bounded = fakeTerminal(platform);
    await runCli(['clients', 'revoke', 'c1', '--wait'], bounded.ctx);
    expect(bounded.slept.reduce((a, b) => a + b, 0)).toBe(REVOCATION_WAIT_SECONDS * 1000);
    expect(Math.max(...bounded.slept)).toBe(2000);
  });
});

describe('audit export', () => {
  const lines = ['{"id":"3","type":"admin.key.rotated"}', '{"id":"2","type":"admin.client.created"}'];
  const platform = () => new FakePlatform().route('GET /admin/api/audit/export', () => ({ text: lines.map((l) => `${l}\n`).join(''), contentType: 'application/x-ndjson' }));

  it('streams the NDJSON to stdout as it comes, with the filters as the API names them', async () => {
    const p = platform();
    const t = fakeTerminal(p);
    expect(await runCli(['audit', 'export', '--since', '1h', '--type', 'admin.*', '--type', 'login.failed', '--client', 'c1', '--json'], t.ctx)).toBe(0);
    expect(t.stdout()).toBe(lines.map((l) => `${l}\n`).join(''));
    expect(Object.fromEntries(p.adminRequests()[0].url.searchParams)).toEqual({ since: '2026-11-28T08:00:00.000Z', type: 'admin.*,login.failed', client_id: 'c1' });
  });

  it('--out writes a 0600 file that appears only when complete, and says how many entries it holds', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-cli-audit-'));
    try {
      const out = join(dir, 'audit.ndjson');
      const t = fakeTerminal(platform());
      expect(await runCli(['audit', 'export', '--out', out], t.ctx)).toBe(0);
      expect(readFileSync(out, 'utf8').trim().split('\n')).toEqual(lines);
      expect(statSync(out).mode & 0o777).toBe(0o600);
      expect(readdirSync(dir)).toEqual(['audit.ndjson']);
      expect(t.stdout()).toBe('');
      expect(t.stderr()).toBe(`tessera: Wrote 2 audit entries to ${out}.\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a refused export writes no file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-cli-audit-'));
    try {
      const p = new FakePlatform().route('GET /admin/api/audit/export', () => ({ status: 400, body: { type: 'urn:tessera:problem:invalid_request', detail: 'since must be before until.' } }));
      const t = fakeTerminal(p);
      expect(await runCli(['audit', 'export', '--since', '2h', '--until', '3h', '--out', join(dir, 'a.ndjson')], t.ctx)).toBe(1);
      expect(t.stderr()).toBe('tessera: since must be before until. (invalid_request)\n');
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
