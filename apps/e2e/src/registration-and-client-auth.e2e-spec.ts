import * as oidc from 'openid-client';
import * as oauth from 'oauth4webapi';
import { exportJWK, generateKeyPair } from 'jose';
import { eventually } from '@tessera/test-kit';
import { e2eEngines } from './support/engines';
import { startPlatform, type RunningPlatform } from './support/platform';

const opts = { [oauth.allowInsecureRequests]: true } as const;

describe.each(e2eEngines())('dynamic registration and client authentication on %s', (engine) => {
  let platform: RunningPlatform;
  let as: oauth.AuthorizationServer;

  beforeAll(async () => {
    platform = await startPlatform({ engine });
    const issuer = new URL(platform.issuer);
    as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...opts }));
  });
  afterAll(() => platform?.stop());

  it('openid-client registers with the initial access token, then uses the issued secret', async () => {
    const config = await oidc.dynamicClientRegistration(
      new URL(platform.issuer),
      { grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_basic', client_name: 'Registered' },
      oidc.ClientSecretBasic(),
      { initialAccessToken: platform.registrationToken, execute: [oidc.allowInsecureRequests] },
    );
    const metadata = config.clientMetadata();
    expect(metadata.client_secret).toMatch(/^tsr_cs_/);
    expect(metadata['registration_access_token']).toMatch(/^tsr_rat_/);
    expect(metadata['registration_client_uri']).toBe(`${platform.issuer}/oauth2/register/${metadata.client_id}`);
    const tokens = await oidc.clientCredentialsGrant(config);
    expect(tokens.access_token).toMatch(/^tsr_at_/);
  });

  it('refuses registration without the initial access token, and with a forbidden scope or a legacy grant', async () => {
    const register = (body: unknown, token?: string) =>
      fetch(`${platform.issuer}/oauth2/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(body),
      });
    const anonymous = await register({ grant_types: ['client_credentials'] });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer realm="tessera"');
    expect(await anonymous.json()).toMatchObject({ error: 'invalid_token' });

    const admin = await register({ grant_types: ['client_credentials'], scope: 'openid admin:users' }, platform.registrationToken);
    expect(admin.status).toBe(400);
    expect(await admin.json()).toMatchObject({ error: 'invalid_client_metadata' });

    const legacy = await register({ grant_types: ['password'] }, platform.registrationToken);
    expect(await legacy.json()).toMatchObject({ error: 'invalid_client_metadata', error_description: expect.stringContaining('administrator') });

    // Tessera's own policy fields are unknown to RFC 7591 and ignored for a dynamic client.
    const sneaky = await register({ grant_types: ['client_credentials'], first_party: true, admin: true, access_token_ttl: 86400 }, platform.registrationToken);
    expect(sneaky.status).toBe(201);
    const { client_id } = (await sneaky.json()) as { client_id: string };
    const stored = await platform.internal('GET', `/internal/clients/${client_id}`);
    expect(stored.body).toMatchObject({ first_party: false, admin: false, access_token_ttl: 3600 });
  });

  it('manages a registration with its registration access token (RFC 7592) and refuses another token', async () => {
    const created = (await (
      await fetch(`${platform.issuer}/oauth2/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${platform.registrationToken}` },
        body: JSON.stringify({ grant_types: ['client_credentials'], client_name: 'Before' }),
      })
    ).json()) as Record<string, string>;
    const uri = created['registration_client_uri'];
    const auth = { authorization: `Bearer ${created['registration_access_token']}` };
    expect((await fetch(uri, { headers: { authorization: `Bearer ${platform.registrationToken}` } })).status).toBe(401);
    const read = await (await fetch(uri, { headers: auth })).json();
    expect(read).toMatchObject({ client_id: created['client_id'], client_name: 'Before' });
    // RFC 7592 §2.1: the secret is not sent again on a read.
    expect(read).not.toHaveProperty('client_secret');
    const updated = await fetch(uri, {
      method: 'PUT',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: created['client_id'], grant_types: ['client_credentials'], client_name: 'After' }),
    });
    expect(await updated.json()).toMatchObject({ client_name: 'After' });
    expect((await fetch(uri, { method: 'DELETE', headers: auth })).status).toBe(204);
    expect((await fetch(uri, { headers: auth })).status).toBe(401);
  });

  it('authenticates with private_key_jwt (oauth4webapi) and refuses a replayed assertion', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
    const created = await platform.internal('POST', '/internal/clients', {
      grant_types: ['client_credentials'],
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: { keys: [jwk] },
    });
    expect(created.status).toBe(201);
    const client: oauth.Client = { client_id: created.body['client_id'] as string };
    const auth = oauth.PrivateKeyJwt({ key: privateKey, kid: 'k1' });
    const ok = await oauth.processClientCredentialsResponse(as, client, await oauth.clientCredentialsGrantRequest(as, client, auth, new URLSearchParams(), opts));
    expect(ok.access_token).toMatch(/^tsr_at_/);

    // Capture one assertion and send it twice.
    let assertion = '';
    const capture = oauth.PrivateKeyJwt({ key: privateKey, kid: 'k1' }, { [oauth.modifyAssertion]: () => undefined });
    const body = new URLSearchParams({ grant_type: 'client_credentials' });
    await capture(as, client, body, new Headers());
    assertion = body.get('client_assertion') as string;
    const send = () =>
      fetch(`${platform.issuer}/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion }),
      });
    expect((await send()).status).toBe(200);
    const replay = await send();
    expect(replay.status).toBe(401);
    expect(await replay.json()).toMatchObject({ error: 'invalid_client' });
  });

  it('openid-client authenticates with private_key_jwt too', async () => {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    const jwk = { ...(await exportJWK(publicKey)), kid: 'r1', alg: 'RS256', use: 'sig' };
    const created = await platform.internal('POST', '/internal/clients', { grant_types: ['client_credentials'], token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [jwk] } });
    const config = await oidc.discovery(new URL(platform.issuer), created.body['client_id'] as string, undefined, oidc.PrivateKeyJwt({ key: privateKey, kid: 'r1' }), {
      execute: [oidc.allowInsecureRequests],
    });
    expect((await oidc.clientCredentialsGrant(config)).access_token).toMatch(/^tsr_at_/);
  });

  it('never writes a client secret or token to the logs', async () => {
    const created = await platform.internal('POST', '/internal/clients', { grant_types: ['client_credentials'] });
    const secret = created.body['client_secret'] as string;
    const res = await fetch(`${platform.issuer}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: created.body['client_id'] as string, client_secret: `${secret}x` }),
    });
    expect(res.status).toBe(401);
    // The platform writes its log asynchronously (a pipe from another process): wait for the line.
    await eventually(() => expect(platform.output()).toContain('request refused'));
    const output = platform.output();
    expect(output).not.toContain(secret);
    expect(output).not.toContain(platform.registrationToken);
  });
});
