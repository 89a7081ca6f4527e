import { testEngines } from '@tessera/test-kit';
import { register } from '../registration/registration.fixture';
import { startTokenService, type TestApp } from '../support/token-service-app';

const web = { redirect_uris: ['https://app.test/callback'] };

/**
 * Client metadata of RP-Initiated Logout 1.0 §3.1 and Front-Channel Logout 1.0 §2, through
 * dynamic registration (RFC 7591) and the internal client API; what discovery says of logout.
 */
describe.each(testEngines())('logout metadata and discovery (%s)', (engine) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTokenService({ engine });
  });
  afterAll(() => app?.close());

  it('discovery advertises the end_session_endpoint and front-channel logout with iss and sid', async () => {
    const doc = (await (await fetch(`${app.url}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(doc).toMatchObject({
      end_session_endpoint: `${app.issuer}/oauth2/logout`,
      frontchannel_logout_supported: true,
      frontchannel_logout_session_supported: true,
    });
    expect(doc['claims_supported']).toContain('sid');
  });

  it('dynamic registration keeps post_logout_redirect_uris and the front-channel metadata, and echoes them', async () => {
    const metadata = {
      ...web,
      post_logout_redirect_uris: ['https://app.test/signed-out', 'http://127.0.0.1:8080/bye'],
      frontchannel_logout_uri: 'https://app.test/frontchannel?tenant=1',
      frontchannel_logout_session_required: true,
    };
    const res = await register(app, metadata, app.registrationToken);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject(metadata);
  });

  it('says frontchannel_logout_session_required is false when a URI is registered without it', async () => {
    const res = await register(app, { ...web, frontchannel_logout_uri: 'https://app.test/fc' }, app.registrationToken);
    expect(res.body['frontchannel_logout_session_required']).toBe(false);
    const without = await register(app, web, app.registrationToken);
    expect(without.body).not.toHaveProperty('frontchannel_logout_session_required');
    expect(without.body).not.toHaveProperty('post_logout_redirect_uris');
  });

  it('the internal client API takes them too, and shows them', async () => {
    const created = await app.internal('POST', '/internal/clients', {
      ...web,
      post_logout_redirect_uris: ['https://app.test/signed-out'],
      frontchannel_logout_uri: 'https://app.test/fc',
    });
    expect(created.status).toBe(201);
    const read = await app.internal('GET', `/internal/clients/${created.body['client_id'] as string}`);
    expect(read.body).toMatchObject({
      post_logout_redirect_uris: ['https://app.test/signed-out'],
      frontchannel_logout_uri: 'https://app.test/fc',
      frontchannel_logout_session_required: false,
    });
  });

  it.each([
    ['post_logout_redirect_uris not an array', { post_logout_redirect_uris: 'https://app.test/bye' }],
    ['a post_logout_redirect_uri that is not a string', { post_logout_redirect_uris: [42] }],
    ['a relative post_logout_redirect_uri', { post_logout_redirect_uris: ['/bye'] }],
    ['a post_logout_redirect_uri with a fragment', { post_logout_redirect_uris: ['https://app.test/bye#x'] }],
    ['a plain-http post_logout_redirect_uri off loopback', { post_logout_redirect_uris: ['http://app.test/bye'] }],
    ['a script post_logout_redirect_uri', { post_logout_redirect_uris: ['javascript:alert(1)'] }],
    ['a post_logout_redirect_uri with credentials', { post_logout_redirect_uris: ['https://user:pw@app.test/bye'] }],
    ['a plain-http frontchannel_logout_uri off loopback', { frontchannel_logout_uri: 'http://app.test/fc' }],
    ['a frontchannel_logout_uri with a fragment', { frontchannel_logout_uri: 'https://app.test/fc#x' }],
    ['a frontchannel_logout_uri of another scheme', { frontchannel_logout_uri: 'data:text/html,hi' }],
    ['a frontchannel_logout_uri that is not a string', { frontchannel_logout_uri: ['https://app.test/fc'] }],
    ['frontchannel_logout_session_required not a boolean', { frontchannel_logout_uri: 'https://app.test/fc', frontchannel_logout_session_required: 'yes' }],
  ])('refuses %s with invalid_client_metadata', async (_case, bad) => {
    const res = await register(app, { ...web, ...bad }, app.registrationToken);
    expect(res.status).toBe(400);
    expect(res.body['error']).toBe('invalid_client_metadata');
    const internal = await app.internal('POST', '/internal/clients', { ...web, ...bad });
    expect(internal.status).toBe(400);
    expect(internal.body['error']).toBe('invalid_client_metadata');
  });
});
