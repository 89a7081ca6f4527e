import * as oidc from 'openid-client';
import * as oauth from 'oauth4webapi';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { e2eEngines } from './support/engines';
import { startPlatform, type RunningPlatform } from './support/platform';

describe.each(e2eEngines())('client_credentials against the platform on %s', (engine) => {
  let platform: RunningPlatform;
  const api = 'https://api.example.com/orders';
  let referenceClient: { client_id: string; client_secret: string };
  let jwtClient: { client_id: string; client_secret: string };

  beforeAll(async () => {
    platform = await startPlatform({ engine });
    expect((await platform.internal('POST', '/internal/resource-servers', { identifier: api, name: 'Orders', scopes: ['orders:read', 'orders:write'] })).status).toBe(201);
    const common = { grant_types: ['client_credentials'], allowed_scopes: [{ scope: 'orders:read', required: true }, 'orders:write'] };
    referenceClient = (await platform.internal('POST', '/internal/clients', { ...common, client_name: 'Reference' })).body as never;
    jwtClient = (await platform.internal('POST', '/internal/clients', { ...common, client_name: 'JWT', access_token_format: 'jwt', token_endpoint_auth_method: 'client_secret_post', default_audience: [api] })).body as never;
  });
  afterAll(() => platform?.stop());

  it('openid-client discovers the server and gets a reference token it can introspect', async () => {
    const config = await oidc.discovery(new URL(platform.issuer), referenceClient.client_id, referenceClient.client_secret, oidc.ClientSecretBasic(), {
      execute: [oidc.allowInsecureRequests],
    });
    const tokens = await oidc.clientCredentialsGrant(config, { scope: 'orders:read orders:write' });
    expect(tokens.token_type).toBe('bearer');
    expect(tokens.access_token).toMatch(/^tsr_at_[0-9a-f]{16}[A-Za-z0-9_-]{43}$/);
    expect(tokens.scope).toBe('orders:read orders:write');
    expect(tokens.expires_in).toBeGreaterThan(0);

    const introspection = await oidc.tokenIntrospection(config, tokens.access_token);
    expect(introspection).toMatchObject({ active: true, client_id: referenceClient.client_id, sub: referenceClient.client_id, scope: 'orders:read orders:write', iss: platform.issuer });

    await oidc.tokenRevocation(config, tokens.access_token);
    expect((await oidc.tokenIntrospection(config, tokens.access_token)).active).toBe(false);
  });

  it('without scope, the client gets the scopes its registration marks required', async () => {
    const config = await oidc.discovery(new URL(platform.issuer), referenceClient.client_id, referenceClient.client_secret, oidc.ClientSecretBasic(), {
      execute: [oidc.allowInsecureRequests],
    });
    expect((await oidc.clientCredentialsGrant(config)).scope).toBe('orders:read');
  });

  it('oauth4webapi gets an RFC 9068 JWT whose audience comes from the resource parameter and verifies it against the JWKS', async () => {
    const issuer = new URL(platform.issuer);
    const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', [oauth.allowInsecureRequests]: true }));
    const client: oauth.Client = { client_id: jwtClient.client_id };
    const response = await oauth.clientCredentialsGrantRequest(as, client, oauth.ClientSecretPost(jwtClient.client_secret), new URLSearchParams({ scope: 'orders:read', resource: api }), {
      [oauth.allowInsecureRequests]: true,
    });
    const result = await oauth.processClientCredentialsResponse(as, client, response);
    expect(decodeProtectedHeader(result.access_token)).toMatchObject({ typ: 'at+jwt', alg: 'ES256' });

    // The resource server's view: oauth4webapi's own RFC 9068 validation, and jose against the JWKS.
    const request = new Request(api, { headers: { authorization: `Bearer ${result.access_token}` } });
    const claims = await oauth.validateJwtAccessToken(as, request, api, { [oauth.allowInsecureRequests]: true });
    expect(claims).toMatchObject({ iss: platform.issuer, aud: api, client_id: jwtClient.client_id, sub: jwtClient.client_id, scope: 'orders:read' });
    const jwks = createRemoteJWKSet(new URL(as.jwks_uri as string));
    await expect(jwtVerify(result.access_token, jwks, { issuer: platform.issuer, audience: 'https://other.example.com' })).rejects.toThrow();
  });

  it('a resource parameter naming no registered resource server gets invalid_target', async () => {
    const issuer = new URL(platform.issuer);
    const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', [oauth.allowInsecureRequests]: true }));
    const client: oauth.Client = { client_id: jwtClient.client_id };
    const response = await oauth.clientCredentialsGrantRequest(as, client, oauth.ClientSecretPost(jwtClient.client_secret), new URLSearchParams({ resource: 'https://unknown.example.com' }), {
      [oauth.allowInsecureRequests]: true,
    });
    await expect(oauth.processClientCredentialsResponse(as, client, response)).rejects.toMatchObject({ error: 'invalid_target' });
  });

  it('oauth4webapi asks for a signed introspection answer (RFC 9701) and validates it', async () => {
    const issuer = new URL(platform.issuer);
    const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', [oauth.allowInsecureRequests]: true }));
    const client: oauth.Client = { client_id: referenceClient.client_id, introspection_signed_response_alg: 'RS256' };
    const auth = oauth.ClientSecretBasic(referenceClient.client_secret);
    const opts = { [oauth.allowInsecureRequests]: true } as const;
    const token = await oauth.processClientCredentialsResponse(as, client, await oauth.clientCredentialsGrantRequest(as, client, auth, new URLSearchParams(), opts));
    const response = await oauth.introspectionRequest(as, client, auth, token.access_token, { ...opts, requestJwtResponse: true });
    expect(response.headers.get('content-type')).toBe('application/token-introspection+jwt');
    const result = await oauth.processIntrospectionResponse(as, client, response);
    expect(result).toMatchObject({ active: true, client_id: referenceClient.client_id, scope: 'orders:read' });
  });
});
