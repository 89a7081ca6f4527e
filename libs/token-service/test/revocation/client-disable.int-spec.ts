import { internalCredential, randomSecret } from '@tessera/runtime';
import { locationOf, testEngines } from '@tessera/test-kit';
import { AUTHENTICATION_FAILED } from '../../src/client-auth/client-authenticator';
import { isInteraction, Oidc, type OidcClient } from '../oidc/support';
import { register, registration } from '../registration/registration.fixture';
import { startTokenService, type TestApp } from '../support/token-service-app';
import { clientToken, isActive, refresh } from './access-revocation.fixture';

/** A resource server with a client of its own (it introspects the JWTs addressed to it). */
const API = 'https://api.test/disable';
const DISABLED = 'The client is disabled.';

/**
 * An administrator turns a client off (`POST /internal/clients/{id}/disable`) and on again
 * (`/enable`): while it is off nothing new is issued to it and its tokens are inactive.
 */
describe.each(testEngines())('disabled clients (%s)', (engine) => {
  let oidc: Oidc;
  let app: TestApp;
  let api: OidcClient;

  beforeAll(async () => {
    oidc = await Oidc.start(engine);
    app = oidc.app;
    api = { ...(await app.client()), redirect: '' };
    expect((await app.internal('POST', '/internal/resource-servers', { identifier: API, access_token_format: 'jwt', client_id: api.client_id })).status).toBe(201);
  });
  afterAll(() => oidc?.close());

  const codeClient = () => oidc.client({ grant_types: ['authorization_code', 'refresh_token', 'client_credentials'] });
  const setDisabled = (client: { client_id: string }, disabled: boolean) => app.internal('POST', `/internal/clients/${client.client_id}/${disabled ? 'disable' : 'enable'}`);
  const policyOf = async (client: { client_id: string }) => (await app.internal('GET', `/internal/clients/${client.client_id}`)).body;

  /** The error page /authorize shows: HTML, never a redirect. */
  async function expectErrorPage(res: Response, error: string) {
    expect({ status: res.status, location: res.headers.get('location'), type: res.headers.get('content-type') }).toEqual({ status: 400, location: null, type: 'text/html; charset=utf-8' });
    const html = await res.text();
    expect(html).toContain(`<code>${error}</code>`);
    expect(html).toContain('disabled by an administrator');
  }

  it('is enabled until disabled; disable and enable are idempotent and answer the policy view', async () => {
    const client = await codeClient();
    expect(await policyOf(client)).toMatchObject({ client_id: client.client_id, disabled: false });
    for (const [disabled, times] of [
      [true, 2],
      [false, 2],
    ] as const) {
      for (let i = 0; i < times; i++) {
        const res = await setDisabled(client, disabled);
        expect({ status: res.status, client_id: res.body['client_id'], disabled: res.body['disabled'] }).toEqual({ status: 200, client_id: client.client_id, disabled });
      }
    }
    const unknown = await app.internal('POST', '/internal/clients/no-such-client/disable');
    expect({ status: unknown.status, error: unknown.body['error'] }).toEqual({ status: 404, error: 'not_found' });
  });

  it('keeps its state through a PUT of the metadata: only the two routes change it', async () => {
    const client = await codeClient();
    await setDisabled(client, true);
    const { client_id: _id, client_id_issued_at: _issued, ...view } = await policyOf(client);
    const put = await app.internal('PUT', `/internal/clients/${client.client_id}`, { ...view, disabled: false, client_name: 'Renamed' });
    expect(put.status).toBe(200);
    expect(await policyOf(client)).toMatchObject({ client_name: 'Renamed', disabled: true });
  });

  it('is answered invalid_client at the token endpoint, but only once it authenticated: a stranger learns nothing', async () => {
    const client = await codeClient();
    const { refresh_token } = await oidc.codeFlow(client, { sub: oidc.newUser() }, { scope: 'openid offline_access' });
    await setDisabled(client, true);

    const own = await app.form('/oauth2/token', { grant_type: 'client_credentials' }, { authorization: client.basic });
    expect({ status: own.status, body: await own.json(), challenge: own.headers.get('www-authenticate') }).toEqual({
      status: 401,
      body: { error: 'invalid_client', error_description: DISABLED },
      challenge: expect.stringMatching(/^Basic /),
    });
    expect(own.headers.get('cache-control')).toBe('no-store');
    expect(await refresh(app, client, refresh_token as string)).toEqual({ status: 401, error: 'invalid_client' });
    const wrongSecret = `Basic ${Buffer.from(`${client.client_id}:tsr_cs_${'x'.repeat(43)}`).toString('base64')}`;
    const stranger = await app.form('/oauth2/token', { grant_type: 'client_credentials' }, { authorization: wrongSecret });
    expect({ status: stranger.status, body: await stranger.json() }).toEqual({ status: 401, body: { error: 'invalid_client', error_description: AUTHENTICATION_FAILED } });

    await setDisabled(client, false);
    expect(await clientToken(app, client)).toEqual(expect.any(String));
    expect((await refresh(app, client, refresh_token as string)).status).toBe(200);
  });

  it('shows an error page at /authorize, never a redirect, even for a signed-in user who consented (prompt=none included)', async () => {
    const client = await codeClient();
    const browser = oidc.browser();
    await oidc.codeFlow(client, { sub: oidc.newUser() }, {}, undefined, browser);
    await setDisabled(client, true);

    await expectErrorPage(await oidc.authorize(browser, client), 'unauthorized_client');
    await expectErrorPage(await oidc.authorize(browser, client, { prompt: 'none' }), 'unauthorized_client');
    await expectErrorPage(await oidc.authorize(oidc.browser(), client), 'unauthorized_client');

    await setDisabled(client, false);
    expect(locationOf(await oidc.authorize(browser, client))).toContain('code=');
  });

  it('refuses its pushed authorization requests (PAR) with unauthorized_client', async () => {
    const client = await codeClient();
    await setDisabled(client, true);
    const res = await app.form(
      '/oauth2/par',
      { response_type: 'code', client_id: client.client_id, redirect_uri: client.redirect, scope: 'openid', state: 's' },
      { authorization: client.basic },
    );
    expect({ status: res.status, error: ((await res.json()) as { error: string }).error }).toEqual({ status: 400, error: 'unauthorized_client' });
  });

  it('gets nothing when a sign-in started before it was disabled comes back', async () => {
    const client = await codeClient();
    const browser = oidc.browser();
    const start = await oidc.authorize(browser, client);
    expect(isInteraction(start, 'login')).toBe(true);
    const accepted = await oidc.acceptLogin(browser, locationOf(start), { sub: oidc.newUser() });
    expect(accepted.status).toBe(200);
    await setDisabled(client, true);

    await expectErrorPage(await browser.get(accepted.body['redirect_to'] as string), 'unauthorized_client');
  });

  it('has its tokens inactive while disabled (introspection, UserInfo), and active again once enabled: disabling suspends, revoking ends', async () => {
    const client = await codeClient();
    const sub = oidc.newUser();
    const plain = await oidc.codeFlow(client, { sub }, { scope: 'openid offline_access' });
    const forApi = await oidc.codeFlow(client, { sub }, { scope: 'openid', resource: API });
    const own = await clientToken(app, client);
    const owned = [plain.access_token, plain.refresh_token as string, own];

    const state = async () => ({
      owned: await Promise.all(owned.map((t) => isActive(app, client, t))),
      jwtForApi: await isActive(app, api, forApi.access_token),
      userinfo: (await oidc.userinfo(plain.access_token)).status,
    });
    expect(await state()).toEqual({ owned: [true, true, true], jwtForApi: true, userinfo: 200 });
    await setDisabled(client, true);
    expect(await state()).toEqual({ owned: [false, false, false], jwtForApi: false, userinfo: 401 });
    await setDisabled(client, false);
    expect(await state()).toEqual({ owned: [true, true, true], jwtForApi: true, userinfo: 200 });
  });

  it('can still be read (and edited) through RFC 7592 management when dynamically registered, which never enables it', async () => {
    const created = await register(app, { redirect_uris: ['https://app.test/callback'], client_name: 'Web app', disabled: true }, app.registrationToken);
    expect(created.status).toBe(201);
    const clientId = created.body['client_id'] as string;
    const token = created.body['registration_access_token'] as string;
    // Registration cannot set it: only an administrator can.
    expect((await policyOf({ client_id: clientId }))['disabled']).toBe(false);
    await setDisabled({ client_id: clientId }, true);

    const read = await registration(app, 'GET', `/oauth2/register/${clientId}`, { token });
    expect({ status: read.status, client_id: read.body['client_id'], client_name: read.body['client_name'] }).toEqual({ status: 200, client_id: clientId, client_name: 'Web app' });
    expect(read.body).not.toHaveProperty('disabled');
    const put = await registration(app, 'PUT', `/oauth2/register/${clientId}`, {
      token,
      body: { client_id: clientId, redirect_uris: ['https://app.test/callback'], client_name: 'Renamed', disabled: false },
    });
    expect(put.status).toBe(200);
    expect(await policyOf({ client_id: clientId })).toMatchObject({ client_name: 'Renamed', disabled: true });
  });
});

describe.each(testEngines())('disabling a client: who may (%s)', (engine) => {
  let app: TestApp;
  const internalSecret = randomSecret(32);

  beforeAll(async () => {
    app = await startTokenService({ engine, internalSecret });
  });
  afterAll(() => app?.close());

  it.each([
    ['admin-api', 200],
    ['operator', 200],
    ['auth-service', 401],
  ] as const)('answers %s with %i', async (caller, status) => {
    const client = await app.client();
    for (const action of ['disable', 'enable']) {
      const res = await fetch(`${app.internalUrl}/internal/clients/${client.client_id}/${action}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${internalCredential(internalSecret, caller)}` },
      });
      expect({ action, status: res.status }).toEqual({ action, status });
    }
  });
});
