import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakePlatform, SECRET, URL_ } from '../test/fake-platform';
import { AdminApi, cliSecret, isLoopback, platformUrl, problemMessage } from './admin-api';
import { CliError } from './errors';

describe('where the CLI connects', () => {
  it('uses TESSERA_URL (https, or http on this machine only), else this machine at TESSERA_PORT, else port 3000', () => {
    expect(platformUrl({ TESSERA_URL: 'https://id.example.com/' })).toBe('https://id.example.com');
    expect(platformUrl({ TESSERA_PORT: '8443' })).toBe('http://127.0.0.1:8443');
    expect(platformUrl({})).toBe('http://127.0.0.1:3000');
    expect(() => platformUrl({ TESSERA_URL: 'id.example.com' })).toThrow(/TESSERA_URL must be/);
    expect(() => platformUrl({ TESSERA_URL: 'ftp://id.example.com' })).toThrow(/http\(s\)/);
    expect(platformUrl({ TESSERA_URL: 'http://localhost:3000' })).toBe('http://localhost:3000');
    expect(() => platformUrl({ TESSERA_URL: 'http://id.example.com' })).toThrow('TESSERA_URL must be https unless the platform runs on this machine (got http://id.example.com).');
  });

  it('knows which hosts are this machine', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', 'tessera.localhost', '[::1]']) expect(isLoopback(host)).toBe(true);
    for (const host of ['10.0.0.1', 'id.example.com', '127.0.0.1.example.com', 'localhost.example.com']) expect(isLoopback(host)).toBe(false);
  });
});

describe('the tessera-cli secret', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'tessera-cli-spec-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('comes from TESSERA_CLI_SECRET first, then from cli.secret in the data directory', () => {
    writeFileSync(join(dir, 'cli.secret'), 'from-the-file\n', { mode: 0o600 });
    expect(cliSecret({ TESSERA_CLI_SECRET: 'from-the-env', TESSERA_DATA_DIR: dir })).toEqual({ secret: 'from-the-env', source: 'TESSERA_CLI_SECRET' });
    expect(cliSecret({ TESSERA_DATA_DIR: dir })).toEqual({ secret: 'from-the-file', source: join(dir, 'cli.secret') });
  });

  it('when missing, the error names both places to put it', () => {
    expect(() => cliSecret({ TESSERA_DATA_DIR: dir })).toThrow(`No secret for the tessera-cli client: set TESSERA_CLI_SECRET, or TESSERA_DATA_DIR to the platform's data directory (no readable ${join(dir, 'cli.secret')}).`);
    writeFileSync(join(dir, 'cli.secret'), '  \n');
    expect(() => cliSecret({ TESSERA_DATA_DIR: dir })).toThrow(/TESSERA_CLI_SECRET/);
  });
});

describe('signing in as tessera-cli', () => {
  it('asks the token endpoint from discovery for both admin scopes, for the admin API as the resource, with client_secret_basic', async () => {
    const platform = new FakePlatform('http://localhost:3999').route('GET /admin/api/keys', () => ({ body: [] }));
    // Discovery is read at TESSERA_URL; the token endpoint and the issuer come from it.
    const api = new AdminApi({ url: URL_, secret: SECRET, fetch: platform.fetch });
    await api.call('GET', '/keys');
    const [discovery, token, call] = platform.requests;
    expect(discovery.url.href).toBe(`${URL_}/.well-known/openid-configuration`);
    expect(token.url.href).toBe('http://localhost:3999/oauth2/token');
    expect(Object.fromEntries(new URLSearchParams(token.body))).toEqual({ grant_type: 'client_credentials', scope: 'admin:read admin:write', resource: 'http://localhost:3999/admin/api' });
    expect(token.headers.get('content-type')).toBe('application/x-www-form-urlencoded');
    expect(call.url.href).toBe(`${URL_}/admin/api/keys`);
    expect(call.headers.get('authorization')).toBe('Bearer token-1');
  });

  it('falls back to /oauth2/token and TESSERA_URL as the issuer when there is no discovery document', async () => {
    const platform = new FakePlatform().route('GET /.well-known/openid-configuration', () => ({ status: 404, body: { error: 'not_found' } })).route('GET /admin/api/keys', () => ({ body: [] }));
    await platform.api().call('GET', '/keys');
    const token = platform.requests[1];
    expect(token.url.href).toBe(`${URL_}/oauth2/token`);
    expect(new URLSearchParams(token.body).get('resource')).toBe(`${URL_}/admin/api`);
  });

  it('fetches one token for the whole command, however many calls it makes', async () => {
    const platform = new FakePlatform().route('GET /admin/api/keys', () => ({ body: [] }));
    const api = platform.api();
    await Promise.all([api.call('GET', '/keys'), api.call('GET', '/keys')]);
    await api.call('GET', '/keys');
    expect(platform.tokensIssued).toBe(1);
    expect(platform.adminRequests().map((r) => r.headers.get('authorization'))).toEqual(['Bearer token-1', 'Bearer token-1', 'Bearer token-1']);
  });

  it('fetches a new token once when the one it holds runs out mid-command', async () => {
    const platform = new FakePlatform().route('GET /admin/api/keys', () => ({ body: [] }));
    const api = platform.api();
    await api.call('GET', '/keys');
    platform.expired.add('token-1');
    await api.call('GET', '/keys');
    expect(platform.tokensIssued).toBe(2);
    platform.expired.add('token-2');
    platform.expired.add('token-3');
    await expect(api.call('GET', '/keys')).rejects.toThrow(new CliError('The access token is not one this API accepts. (invalid_token)'));
  });

  it('says when the token service refuses the secret, without ever showing the secret', async () => {
    const platform = new FakePlatform();
    const api = new AdminApi({ url: URL_, secret: 'the-wrong-secret', secretSource: '/data/cli.secret', fetch: platform.fetch });
    // The whole message, exactly: it names where the secret came from, never the secret.
    await expect(api.call('GET', '/keys')).rejects.toMatchObject({
      message: 'The token service refused the tessera-cli client (invalid_client). Client authentication failed. Is the secret in /data/cli.secret the one this platform uses?',
      exitCode: 1,
    });
  });

  it('never sends the secret over plain http to another machine', async () => {
    const platform = new FakePlatform('http://id.example.com');
    await expect(new AdminApi({ url: URL_, secret: SECRET, fetch: platform.fetch }).call('GET', '/keys')).rejects.toThrow(/^Refusing to send the tessera-cli secret to http:\/\/id\.example\.com/);
    expect(platform.requests.map((r) => r.url.pathname)).toEqual(['/.well-known/openid-configuration']);
  });

  it('says the platform does not answer, and where it looked', async () => {
    const refused: typeof fetch = async () => {
      throw Object.assign(new TypeError('fetch failed'), { cause: new Error('connect ECONNREFUSED 127.0.0.1:3999') });
    };
    await expect(new AdminApi({ url: URL_, secret: SECRET, fetch: refused }).call('GET', '/keys')).rejects.toThrow(new CliError(`The platform at ${URL_} does not answer (connect ECONNREFUSED 127.0.0.1:3999). Is it running? TESSERA_URL (or TESSERA_PORT) says where.`));
  });
});

describe('answers and problems', () => {
  it("turns a problem into its detail on one line, with the service's reason or the problem type", async () => {
    const platform = new FakePlatform().route('POST /admin/api/users', () => ({
      status: 400,
      body: { type: 'urn:tessera:problem:invalid_request', title: 'Bad request', status: 400, detail: 'This password is one of the\nmost commonly used ones.', reason: 'weak_password' },
    }));
    await expect(platform.api().call('POST', '/users', {})).rejects.toThrow(new CliError('This password is one of the most commonly used ones. (weak_password)'));
    expect(problemMessage(409, { type: 'urn:tessera:problem:conflict', detail: 'An account with this email address exists already.' })).toBe('An account with this email address exists already. (conflict)');
    expect(problemMessage(502, undefined)).toBe('HTTP 502');
  });

  it('says when what answers is not the admin API', async () => {
    const platform = new FakePlatform().route('GET /admin/api/keys', () => ({ status: 404, text: '<html>portal</html>', contentType: 'text/html' }));
    await expect(platform.api().call('GET', '/keys')).rejects.toThrow(new CliError(`GET /admin/api/keys: not found, and not an answer of the admin API: is it served at ${URL_}/admin/api?`));
  });

  it('sends JSON bodies and answers undefined for 204', async () => {
    const platform = new FakePlatform().route('DELETE /admin/api/clients/c1', () => ({ status: 204 })).route('PATCH /admin/api/users/u1', (req) => ({ body: JSON.parse(req.body) }));
    expect(await platform.api().call('DELETE', '/clients/c1')).toBeUndefined();
    expect(await platform.api().call('PATCH', '/users/u1', { status: 'locked' })).toEqual({ status: 'locked' });
    expect(platform.adminRequests()[1].headers.get('content-type')).toBe('application/json');
  });
});

describe('lists', () => {
  /** A listing of `total` items served `limit` at a time with opaque cursors. */
  const paged = (total: number) => {
    const all = Array.from({ length: total }, (_, i) => ({ client_id: `c${String(i).padStart(3, '0')}` }));
    return new FakePlatform().route('GET /admin/api/clients', (req) => {
      const limit = Number(req.url.searchParams.get('limit'));
      const start = req.url.searchParams.has('cursor') ? Number(Buffer.from(req.url.searchParams.get('cursor') as string, 'base64url').toString()) : 0;
      const items = all.slice(start, start + limit);
      const next = start + limit < total ? { next_cursor: Buffer.from(String(start + limit)).toString('base64url') } : {};
      return { body: { items, ...next } };
    });
  };

  it('follows next_cursor to the end, 100 a page', async () => {
    const platform = paged(250);
    const items = await platform.api().list<{ client_id: string }>('/clients', { q: 'c' });
    expect(items).toHaveLength(250);
    expect(items[249].client_id).toBe('c249');
    expect(platform.adminRequests().map((r) => [r.url.searchParams.get('limit'), r.url.searchParams.get('q'), r.url.searchParams.has('cursor')])).toEqual([
      ['100', 'c', false],
      ['100', 'c', true],
      ['100', 'c', true],
    ]);
  });

  it('with a limit, asks for no more than it needs and stops there', async () => {
    const platform = paged(250);
    const items = await platform.api().list('/clients', {}, 130);
    expect(items).toHaveLength(130);
    expect(platform.adminRequests().map((r) => r.url.searchParams.get('limit'))).toEqual(['100', '30']);
  });

  it('stops on a cursor it has seen before instead of looping for ever', async () => {
    const platform = new FakePlatform().route('GET /admin/api/clients', () => ({ body: { items: [{ client_id: 'a' }], next_cursor: 'same' } }));
    expect(await platform.api().list('/clients')).toHaveLength(2);
  });
});
