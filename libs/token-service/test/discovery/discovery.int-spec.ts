import { decodeProtectedHeader } from 'jose';
import { startTokenService, type TestApp } from '../support/token-service-app';

const json = async (res: Response) => (await res.json()) as Record<string, unknown> & { access_token: string; error: string };


/** RFC 8414 / OpenID Connect Discovery metadata, and CORS for the endpoints browsers call. */
describe('discovery and CORS', () => {
  let app: TestApp;
  let doc: Record<string, unknown>;
  let client: { client_id: string; basic: string };

  beforeAll(async () => {
    app = await startTokenService();
    const res = await fetch(`${app.url}/.well-known/oauth-authorization-server`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    doc = await json(res);
    client = await app.client();
  });
  afterAll(() => app?.close());

  it('serves the same document at both well-known paths', async () => {
    const oidc = await fetch(`${app.url}/.well-known/openid-configuration`);
    expect(oidc.status).toBe(200);
    expect(await json(oidc)).toEqual(doc);
  });

  it('names the issuer exactly as configured (RFC 8414 §3.3)', () => {
    expect(doc['issuer']).toBe(app.issuer);
  });

  it('lists exactly the grant types the token endpoint accepts, plus implicit (served by the authorization endpoint)', async () => {
    const listed = (doc['grant_types_supported'] as string[]).filter((g) => g !== 'implicit');
    expect(doc['grant_types_supported']).toContain('implicit');
    expect(listed).toContain('client_credentials');
    const candidates = new Set([
      ...listed,
      'authorization_code',
      'refresh_token',
      'password',
      'implicit',
      'urn:ietf:params:oauth:grant-type:device_code',
      'urn:ietf:params:oauth:grant-type:jwt-bearer',
      'urn:ietf:params:oauth:grant-type:token-exchange',
      'urn:ietf:params:oauth:grant-type:saml2-bearer',
    ]);
    for (const grant_type of candidates) {
      const res = await app.form('/oauth2/token', { grant_type }, { authorization: client.basic });
      const accepted = (await json(res)).error !== 'unsupported_grant_type';
      expect({ grant_type, accepted }).toEqual({ grant_type, accepted: listed.includes(grant_type) });
    }
  });

  it('gives every endpoint as an absolute https URL under the issuer, served by this server', async () => {
    const members = Object.keys(doc).filter((m) => m.endsWith('_endpoint') || m === 'jwks_uri');
    expect(members).toEqual(expect.arrayContaining(['token_endpoint', 'jwks_uri', 'registration_endpoint', 'introspection_endpoint', 'revocation_endpoint']));
    for (const member of members) {
      const value = doc[member] as string;
      expect({ member, under: value.startsWith(`${app.issuer}/`) }).toEqual({ member, under: true });
      const url = new URL(value);
      expect(url.protocol).toBe('https:');
      expect(url.search + url.hash).toBe('');
      // The path is routed here (whatever the answer to a bare GET or POST is, it is not 404).
      const statuses = await Promise.all(['GET', 'POST'].map(async (method) => (await fetch(`${app.url}${url.pathname}`, { method })).status));
      expect({ member, served: statuses.some((status) => status !== 404) }).toEqual({ member, served: true });
    }
  });

  it('lists authentication methods that match what each endpoint accepts', () => {
    expect([...(doc['token_endpoint_auth_methods_supported'] as string[])].sort()).toEqual(['client_secret_basic', 'client_secret_post', 'none', 'private_key_jwt']);
    expect(doc['introspection_endpoint_auth_methods_supported']).not.toContain('none');
    expect(doc['revocation_endpoint_auth_methods_supported']).toContain('none');
    // RFC 8414 §2: "none" is never a signing algorithm value.
    for (const [member, value] of Object.entries(doc)) {
      if (member.endsWith('_signing_alg_values_supported')) expect({ member, none: (value as string[]).includes('none') }).toEqual({ member, none: false });
    }
    expect(Array.isArray(doc['response_types_supported'])).toBe(true);
  });

  it('lists the algorithm the RFC 9701 introspection responses are signed with', async () => {
    const tokenRes = await app.form('/oauth2/token', { grant_type: 'client_credentials' }, { authorization: client.basic });
    const { access_token } = await json(tokenRes);
    const res = await app.form('/oauth2/introspect', { token: access_token }, { authorization: client.basic, accept: 'application/token-introspection+jwt' });
    expect(doc['introspection_signing_alg_values_supported']).toContain(decodeProtectedHeader(await res.text()).alg);
  });

  describe('CORS', () => {
    const origin = { origin: 'https://spa.test' };

    it.each([['/.well-known/oauth-authorization-server'], ['/.well-known/openid-configuration'], ['/oauth2/jwks']])('allows any origin to GET %s', async (path) => {
      const res = await fetch(`${app.url}${path}`, { headers: origin });
      expect(res.status).toBe(200);
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
    });

    it('allows any origin on the token endpoint, for answers and for errors', async () => {
      const ok = await app.form('/oauth2/token', { grant_type: 'client_credentials' }, { ...origin, authorization: client.basic });
      expect(ok.status).toBe(200);
      expect(ok.headers.get('access-control-allow-origin')).toBe('*');
      const refused = await app.form('/oauth2/token', { grant_type: 'client_credentials' }, { ...origin, authorization: `Basic ${Buffer.from(`${client.client_id}:wrong`).toString('base64')}` });
      expect(refused.status).toBe(401);
      expect(refused.headers.get('access-control-allow-origin')).toBe('*');
    });

    it('allows any origin on the revocation endpoint', async () => {
      const res = await app.form('/oauth2/revoke', { token: 'tsr_at_unknown' }, { ...origin, authorization: client.basic });
      expect(res.status).toBe(200);
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
    });

    it.each([
      ['/.well-known/oauth-authorization-server', 'GET'],
      ['/.well-known/openid-configuration', 'GET'],
      ['/oauth2/jwks', 'GET'],
      ['/oauth2/token', 'POST'],
      ['/oauth2/revoke', 'POST'],
    ])('answers a preflight to %s with 204', async (path, method) => {
      const res = await fetch(`${app.url}${path}`, {
        method: 'OPTIONS',
        headers: { ...origin, 'access-control-request-method': method, 'access-control-request-headers': 'authorization, content-type' },
      });
      expect(res.status).toBe(204);
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
      expect(res.headers.get('access-control-allow-methods')).toContain(method);
      expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toEqual(expect.stringContaining('authorization'));
      expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toEqual(expect.stringContaining('content-type'));
    });

    it('does not open the introspection endpoint to browsers', async () => {
      const post = await app.form('/oauth2/introspect', { token: 'tsr_at_unknown' }, { ...origin, authorization: client.basic });
      expect(post.status).toBe(200);
      expect(post.headers.get('access-control-allow-origin')).toBeNull();
      const preflight = await fetch(`${app.url}/oauth2/introspect`, {
        method: 'OPTIONS',
        headers: { ...origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' },
      });
      expect(preflight.status).not.toBe(204);
      expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    });
  });
});
