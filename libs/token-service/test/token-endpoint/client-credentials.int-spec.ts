import { decodeProtectedHeader, decodeJwt } from 'jose';
import { testEngines } from '@tessera/test-kit';
import { startTokenService, type TestApp } from '../support/token-service-app';

describe.each(testEngines())('token endpoint, client_credentials (%s)', (engine) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTokenService({ engine });
  });
  afterAll(() => app?.close());

  it('issues a reference token with no-store headers and the required scopes by default', async () => {
    const c = await app.client({ allowed_scopes: [{ scope: 'a', required: true }, 'b'] });
    const res = await app.form('/oauth2/token', { grant_type: 'client_credentials' }, { authorization: c.basic });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as Record<string, string>;
    expect(body).toEqual({ access_token: expect.stringMatching(/^tsr_at_/), token_type: 'Bearer', expires_in: 3600, scope: 'a' });
  });

  it('issues an RFC 9068 JWT for a JWT client', async () => {
    await app.internal('POST', '/internal/resource-servers', { identifier: 'https://api.test/x', scopes: ['x'] });
    const c = await app.client({ allowed_scopes: ['x'], access_token_format: 'jwt', access_token_signing_alg: 'RS256' });
    const res = await app.form('/oauth2/token', { grant_type: 'client_credentials', scope: 'x', resource: 'https://api.test/x' }, { authorization: c.basic });
    const body = (await res.json()) as Record<string, string>;
    expect(res.status).toBe(200);
    expect(decodeProtectedHeader(body.access_token)).toMatchObject({ alg: 'RS256', typ: 'at+jwt' });
    expect(decodeJwt(body.access_token)).toMatchObject({ iss: app.issuer, aud: 'https://api.test/x', sub: c.client_id, client_id: c.client_id, scope: 'x' });
  });
});
