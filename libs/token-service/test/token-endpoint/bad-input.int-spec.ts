import fc from 'fast-check';
import { startTokenService, type TestApp } from '../support/token-service-app';

/** Bad input gets the RFC's error and a clear message: never a 500, never a stack trace. */
describe('token endpoint, bad input', () => {
  let app: TestApp;
  let basic: string;
  beforeAll(async () => {
    app = await startTokenService();
    basic = (await app.client({ allowed_scopes: ['a'] })).basic;
  });
  afterAll(() => app?.close());

  const expectOAuthError = async (res: Response, status: number, error: string) => {
    const text = await res.text();
    expect({ status: res.status, body: JSON.parse(text) }).toMatchObject({ status, body: { error } });
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(text).not.toMatch(/at \w+ \(|node_modules|\.ts:\d+/);
    return JSON.parse(text) as { error: string; error_description: string };
  };

  it('refuses a repeated parameter', async () => {
    const body = await expectOAuthError(await app.form('/oauth2/token', 'grant_type=client_credentials&scope=a&scope=a', { authorization: basic }), 400, 'invalid_request');
    expect(body.error_description).toContain("'scope'");
  });

  it('allows resource to repeat (RFC 8707) but refuses an unregistered one with invalid_target', async () => {
    await expectOAuthError(
      await app.form('/oauth2/token', 'grant_type=client_credentials&resource=https://a.test&resource=https://b.test', { authorization: basic }),
      400,
      'invalid_target',
    );
  });

  it('refuses an oversized body with invalid_request', async () => {
    await expectOAuthError(await app.form('/oauth2/token', `grant_type=client_credentials&scope=${'a'.repeat(70_000)}`, { authorization: basic }), 400, 'invalid_request');
  });

  it('refuses JSON and other media types with invalid_request', async () => {
    const json = await fetch(`${app.url}/oauth2/token`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: basic }, body: '{"grant_type":"client_credentials"}' });
    await expectOAuthError(json, 400, 'invalid_request');
    const xml = await fetch(`${app.url}/oauth2/token`, { method: 'POST', headers: { 'content-type': 'application/xml' }, body: '<x/>' });
    await expectOAuthError(xml, 400, 'invalid_request');
  });

  it('answers an unknown grant type with unsupported_grant_type, and a known one the client may not use with unauthorized_client', async () => {
    await expectOAuthError(await app.form('/oauth2/token', { grant_type: 'urn:example:magic' }, { authorization: basic }), 400, 'unsupported_grant_type');
    await expectOAuthError(await app.form('/oauth2/token', { grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: 'x' }, { authorization: basic }), 400, 'unsupported_grant_type');
    await expectOAuthError(await app.form('/oauth2/token', { grant_type: 'authorization_code', code: 'x' }, { authorization: basic }), 400, 'unauthorized_client');
    const noCc = await app.client({ grant_types: ['authorization_code'], redirect_uris: ['https://app.test/cb'] });
    await expectOAuthError(await app.form('/oauth2/token', { grant_type: 'client_credentials' }, { authorization: noCc.basic }), 400, 'unauthorized_client');
  });

  it('refuses a scope the client is not allowed, naming it', async () => {
    const body = await expectOAuthError(await app.form('/oauth2/token', { grant_type: 'client_credentials', scope: 'a admin:all' }, { authorization: basic }), 400, 'invalid_scope');
    expect(body).toMatchObject({ scope: 'admin:all' });
  });

  it('random form bodies never produce a 500', async () => {
    const key = fc.constantFrom('grant_type', 'scope', 'resource', 'client_id', 'client_secret', 'client_assertion', 'client_assertion_type', 'token', '%zz', '');
    const value = fc.oneof(fc.string(), fc.constantFrom('client_credentials', 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', 'a.b.c', '%', '%E0%A4%A'));
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(key, value), { maxLength: 8 }), fc.option(fc.string(), { nil: undefined }), async (pairs, auth) => {
        const raw = pairs.map(([k, v]) => `${k}=${encodeURIComponent(v).replace(/%25/g, v.includes('%') ? '%' : '%25')}`).join('&');
        const headers: Record<string, string> = auth === undefined ? {} : { authorization: `Basic ${auth}` };
        for (const path of ['/oauth2/token', '/oauth2/introspect', '/oauth2/revoke']) {
          let res: Response;
          try {
            res = await app.form(path, raw, headers);
          } catch {
            return; // fetch itself refused the header value: nothing reached the server
          }
          expect(res.status).toBeLessThan(500);
          // Every answer is empty (a revocation) or a JSON object: an OAuth error, a token response, an introspection result.
          const text = await res.text();
          if (text) expect(JSON.parse(text)).toEqual(expect.any(Object));
        }
      }),
      { numRuns: 100 },
    );
  }, 60_000);
});
