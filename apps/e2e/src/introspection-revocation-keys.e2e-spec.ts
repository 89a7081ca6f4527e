import * as oauth from 'oauth4webapi';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { e2eEngines } from './support/engines';
import { startPlatform, type RunningPlatform } from './support/platform';

const opts = { [oauth.allowInsecureRequests]: true } as const;
const api = 'https://api.example.com/billing';

interface Registered {
  client: oauth.Client;
  auth: oauth.ClientAuth;
}

describe.each(e2eEngines())('introspection, revocation and key rotation on %s', (engine) => {
  let platform: RunningPlatform;
  let as: oauth.AuthorizationServer;
  let owner: Registered;
  let jwtOwner: Registered;
  let stranger: Registered;
  let resourceServer: Registered;

  const register = async (metadata: Record<string, unknown>): Promise<Registered> => {
    const { body } = await platform.internal('POST', '/internal/clients', { grant_types: ['client_credentials'], allowed_scopes: ['billing:read'], ...metadata });
    return { client: { client_id: body['client_id'] as string }, auth: oauth.ClientSecretBasic(body['client_secret'] as string) };
  };
  const token = async (who: Registered, params: Record<string, string> = {}) =>
    (await oauth.processClientCredentialsResponse(as, who.client, await oauth.clientCredentialsGrantRequest(as, who.client, who.auth, new URLSearchParams(params), opts))).access_token;
  const introspect = async (who: Registered, value: string) =>
    oauth.processIntrospectionResponse(as, who.client, await oauth.introspectionRequest(as, who.client, who.auth, value, opts));
  const jwks = async () => createLocalJWKSet((await (await fetch(`${platform.issuer}/oauth2/jwks`)).json()) as JSONWebKeySet);

  beforeAll(async () => {
    platform = await startPlatform({ engine });
    const issuer = new URL(platform.issuer);
    as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...opts }));
    owner = await register({});
    jwtOwner = await register({ access_token_format: 'jwt', default_audience: [api] });
    stranger = await register({});
    resourceServer = await register({ grant_types: ['client_credentials'] });
    await platform.internal('POST', '/internal/resource-servers', { identifier: api, scopes: ['billing:read'], client_id: resourceServer.client.client_id });
  });
  afterAll(() => platform?.stop());

  it('answers the owning client and the resource server in the audience, and nobody else', async () => {
    const value = await token(owner, { scope: 'billing:read', resource: api });
    expect(await introspect(owner, value)).toMatchObject({ active: true, aud: api });
    expect(await introspect(resourceServer, value)).toMatchObject({ active: true, client_id: owner.client.client_id });
    expect(await introspect(stranger, value)).toEqual({ active: false });
    // Without the API in its audience, the resource server does not see the token either.
    expect(await introspect(resourceServer, await token(owner))).toEqual({ active: false });
  });

  it('a public client cannot introspect at all', async () => {
    const { body } = await platform.internal('POST', '/internal/clients', { grant_types: ['authorization_code'], redirect_uris: ['http://localhost/cb'], token_endpoint_auth_method: 'none' });
    const res = await fetch(`${platform.issuer}/oauth2/introspect`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: body['client_id'] as string, token: 'x' }),
    });
    expect(res.status).toBe(401);
  });

  it('revokes JWT access tokens (RFC 7009), refusing another client\'s token', async () => {
    const value = await token(jwtOwner, { scope: 'billing:read' });
    const byStranger = await oauth.revocationRequest(as, stranger.client, stranger.auth, value, opts);
    await expect(oauth.processRevocationResponse(byStranger)).rejects.toMatchObject({ error: 'unauthorized_client' });
    expect(await introspect(jwtOwner, value)).toMatchObject({ active: true });
    await oauth.processRevocationResponse(await oauth.revocationRequest(as, jwtOwner.client, jwtOwner.auth, value, opts));
    expect(await introspect(jwtOwner, value)).toEqual({ active: false });
    // Revoking an unknown or already revoked token is answered 200 (RFC 7009 §2.2).
    await oauth.processRevocationResponse(await oauth.revocationRequest(as, jwtOwner.client, jwtOwner.auth, value, opts));
    await oauth.processRevocationResponse(await oauth.revocationRequest(as, jwtOwner.client, jwtOwner.auth, 'tsr_at_unknown', opts));
  });

  it('rotates signing keys while tokens are live: old tokens still verify, new ones use the pre-published key', async () => {
    const before = await token(jwtOwner);
    const oldKid = decodeProtectedHeader(before).kid;
    const jwksBefore = (await (await fetch(`${platform.issuer}/oauth2/jwks`)).json()) as JSONWebKeySet;
    const rotated = await platform.internal<{ rotated: { alg: string; kid: string; previousKid: string }[] }>('POST', '/internal/keys/rotate', { alg: 'ES256' });
    expect(rotated.status).toBe(201);
    const { kid: newKid, previousKid } = rotated.body.rotated[0];
    expect(previousKid).toBe(oldKid);
    // The new signing key was already in the JWKS before the rotation.
    expect(jwksBefore.keys.map((k) => k.kid)).toContain(newKid);

    const after = await token(jwtOwner);
    expect(decodeProtectedHeader(after).kid).toBe(newKid);
    const keys = await jwks();
    await expect(jwtVerify(before, keys, { issuer: platform.issuer, audience: api })).resolves.toBeDefined();
    await expect(jwtVerify(after, keys, { issuer: platform.issuer, audience: api })).resolves.toBeDefined();
    expect(await introspect(jwtOwner, before)).toMatchObject({ active: true });
  });

  it('revoking all of a client\'s access makes its reference and JWT tokens inactive at once', async () => {
    const victim = await register({ access_token_format: 'jwt', default_audience: [api] });
    const jwt = await token(victim);
    expect(await introspect(victim, jwt)).toMatchObject({ active: true });
    const res = await platform.internal('POST', `/internal/clients/${victim.client.client_id}/revoke`);
    expect(res.status).toBe(201);
    expect(await introspect(victim, jwt)).toEqual({ active: false });
  });
});
