import { testEngines } from '@tessera/test-kit';
import { aRevocation, requestRevocation, settled } from '../revocation/access-revocation.fixture';
import { startTokenService, type TestApp } from '../support/token-service-app';

const PORTAL = 'tessera-portal';
const CLI = 'tessera-cli';
const CLI_SECRET = 'the-operator-chosen-cli-secret-of-enough-length';

type Json = Record<string, unknown>;

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

/**
 * The built-in clients (the portal's and tessera-cli) at the token service's internal API, which
 * the admin API and the operator call: whoever asks, they cannot be deleted, disabled or given a
 * new secret, and only their name, lifetimes and sign-in requirements change.
 */
describe.each(testEngines())('built-in clients at the internal API (%s)', (engine) => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTokenService({ engine, env: { TESSERA_CLI_SECRET: CLI_SECRET } });
  });
  afterAll(() => app?.close());

  const read = async (id: string) => (await app.internal('GET', `/internal/clients/${id}`)).body;
  const cliToken = async () =>
    (await app.form('/oauth2/token', { grant_type: 'client_credentials', scope: 'admin:read' }, { authorization: basic(CLI, CLI_SECRET) })).status;

  it('says which clients are built in', async () => {
    const all = (await app.internal('GET', '/internal/clients')).body as unknown as Json[];
    const other = await app.client();
    expect(Object.fromEntries(all.map((c) => [c['client_id'], c['built_in']]))).toEqual({ [PORTAL]: true, [CLI]: true });
    expect(await read(other.client_id)).toMatchObject({ built_in: false });
  });

  it.each([PORTAL, CLI])('refuses to delete or disable %s with 409 and the reason; enabling (a no-op) is fine', async (id) => {
    const before = await read(id);
    const deleted = await app.internal('DELETE', `/internal/clients/${id}`);
    expect(deleted).toMatchObject({ status: 409, body: { error: 'conflict', error_description: expect.stringContaining('cannot be deleted') } });
    const disabled = await app.internal('POST', `/internal/clients/${id}/disable`);
    expect(disabled).toMatchObject({ status: 409, body: { error: 'conflict', error_description: expect.stringContaining('cannot be disabled') } });
    expect((await app.internal('POST', `/internal/clients/${id}/enable`)).status).toBe(200);
    expect(await read(id)).toEqual(before);
    expect(await cliToken()).toBe(200);
  });

  it("refuses to rotate tessera-cli's secret, saying to set TESSERA_CLI_SECRET; the CLI keeps working", async () => {
    const res = await app.internal('POST', `/internal/clients/${CLI}/secret`);
    expect(res).toMatchObject({ status: 409, body: { error: 'conflict', error_description: expect.stringContaining('set TESSERA_CLI_SECRET') } });
    expect(res.body).not.toHaveProperty('client_secret');
    expect(await cliToken()).toBe(200);
    expect((await app.internal('POST', `/internal/clients/${PORTAL}/secret`)).status).toBe(409);
  });

  it('refuses every edit that would weaken the portal client, naming the fields, and changes nothing', async () => {
    const view = await read(PORTAL);
    for (const [change, field] of [
      [{ redirect_uris: [`${app.issuer}/callback`, 'https://evil.example/callback'] }, 'redirect_uris'],
      [{ post_logout_redirect_uris: ['https://evil.example/'] }, 'post_logout_redirect_uris'],
      [{ grant_types: ['authorization_code', 'implicit'], response_types: ['code', 'id_token token'] }, 'grant_types'],
      [{ grant_types: ['authorization_code', 'refresh_token'], refresh_tokens: true }, 'refresh_tokens'],
      [{ token_endpoint_auth_method: 'client_secret_basic' }, 'token_endpoint_auth_method'],
      [{ allowed_scopes: [...(view['allowed_scopes'] as Json[]), { scope: 'offline_access', required: false }] }, 'allowed_scopes'],
      [{ first_party: false }, 'first_party'],
      [{ admin: true }, 'admin'],
      [{ default_audience: ['https://evil.example/api'] }, 'default_audience'],
      [{ backchannel_logout_uri: 'https://evil.example/logout' }, 'backchannel_logout_uri'],
    ] as const) {
      const res = await app.internal('PUT', `/internal/clients/${PORTAL}`, { ...view, ...change });
      expect({ field, status: res.status, error: res.body['error'] }).toEqual({ field, status: 409, error: 'conflict' });
      expect(res.body['error_description']).toContain(field);
    }
    // RFC 7592 replace semantics: a PUT of the name (and the one URI) alone would reset everything else.
    const bare = await app.internal('PUT', `/internal/clients/${PORTAL}`, { client_name: 'Renamed', redirect_uris: [`${app.issuer}/callback`] });
    expect(bare).toMatchObject({ status: 409, body: { error_description: expect.stringContaining('token_endpoint_auth_method') } });
    expect(await read(PORTAL)).toEqual(view);
  });

  it('refuses every edit that would change what tessera-cli is: admin flag, grant types, authentication', async () => {
    const view = await read(CLI);
    for (const [change, field] of [
      [{ admin: false }, 'admin'],
      [{ grant_types: ['client_credentials', 'password'] }, 'grant_types'],
      [{ token_endpoint_auth_method: 'client_secret_post' }, 'token_endpoint_auth_method'],
      [{ allowed_scopes: ['admin:read', 'admin:write', 'openid'] }, 'allowed_scopes'],
    ] as const) {
      const res = await app.internal('PUT', `/internal/clients/${CLI}`, { ...view, ...change });
      expect({ field, status: res.status, description: res.body['error_description'] }).toEqual({ field, status: 409, description: expect.stringContaining(field) });
    }
    expect(await read(CLI)).toEqual(view);
  });

  it('lets the harmless settings change: name, logo, lifetimes within their bounds, MFA policy', async () => {
    const view = await read(PORTAL);
    const edited = await app.internal('PUT', `/internal/clients/${PORTAL}`, {
      ...view,
      client_name: 'Company portal',
      logo_uri: 'https://cdn.example.com/logo.png',
      access_token_ttl: 900,
      mfa_policy: 'required',
      default_max_age: 86400,
    });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({
      client_name: 'Company portal',
      logo_uri: 'https://cdn.example.com/logo.png',
      access_token_ttl: 900,
      mfa_policy: 'required',
      default_max_age: 86400,
      redirect_uris: view['redirect_uris'],
      built_in: true,
    });
    const tooLong = await app.internal('PUT', `/internal/clients/${PORTAL}`, { ...view, access_token_ttl: 86_401 });
    expect(tooLong).toMatchObject({ status: 400, body: { error: 'invalid_client_metadata' } });

    const cli = await read(CLI);
    expect((await app.internal('PUT', `/internal/clients/${CLI}`, { ...cli, client_name: 'Automation', access_token_ttl: 120 })).body).toMatchObject({
      client_name: 'Automation',
      access_token_ttl: 120,
      admin: true,
    });
  });

  it('refuses to register a client under a built-in id', async () => {
    for (const id of [PORTAL, CLI]) {
      const res = await app.internal('POST', '/internal/clients', { client_id: id, grant_types: ['client_credentials'] });
      expect(res).toMatchObject({ status: 400, body: { error: 'invalid_client_metadata' } });
    }
  });

  it("allows revoking the portal's access everywhere (incident response)", async () => {
    const res = await app.internal('POST', `/internal/clients/${PORTAL}/revoke`);
    expect(res).toMatchObject({ status: 201, body: { client_id: PORTAL, disabled: false, revoked_before: expect.any(Number) } });
  });

  it('carries out a revocation that asks to disable a built-in client without disabling it', async () => {
    const revocation = aRevocation(PORTAL, Math.floor(Date.now() / 1000), { disableClient: true });
    await requestRevocation(app, revocation);
    await settled(app, revocation.revocationId);
    expect(await read(PORTAL)).toMatchObject({ disabled: false, revoked_before: expect.any(Number) });
    expect(app.logs.join('\n')).toContain('a revocation asked to disable a built-in client');
  });
});

describe.each(testEngines())('built-in ids when the portal could not be registered (%s)', (engine) => {
  it('keeps its id reserved: no one registers a client as the portal', async () => {
    const app = await startTokenService({ engine, env: { TESSERA_ISSUER: 'http://id.internal.example' } });
    try {
      expect((await app.internal('GET', `/internal/clients/${PORTAL}`)).status).toBe(404);
      const res = await app.internal('POST', '/internal/clients', { client_id: PORTAL, token_endpoint_auth_method: 'none', redirect_uris: ['https://evil.example/callback'] });
      expect(res).toMatchObject({ status: 400, body: { error: 'invalid_client_metadata', error_description: expect.stringContaining('reserved') } });
      expect((await app.internal('GET', `/internal/clients/${PORTAL}`)).status).toBe(404);
    } finally {
      await app.close();
    }
  });
});
