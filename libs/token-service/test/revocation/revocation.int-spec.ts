import { testEngines } from '@tessera/test-kit';
import { startTokenService, type TestApp } from '../support/token-service-app';
import { isActive, issueToken, revoke, type Caller, json } from './revocation.fixture';

/** RFC 7009 token revocation. */
describe.each(testEngines())('token revocation (%s)', (engine) => {
  let app: TestApp;
  let referenceClient: Caller;
  let jwtClient: Caller;
  let other: Caller;

  beforeAll(async () => {
    app = await startTokenService({ engine });
    referenceClient = await app.client();
    jwtClient = await app.client({ access_token_format: 'jwt', default_audience: ['https://api.test/revocation'] });
    other = await app.client();
  });
  afterAll(() => app?.close());

  it.each([
    ['reference', () => referenceClient],
    ['JWT', () => jwtClient],
  ])('revokes a %s access token for the client it was issued to: 200, no-store, inactive at once', async (_format, client) => {
    const token = await issueToken(app, client());
    const sibling = await issueToken(app, client());
    expect(await isActive(app, client(), token)).toBe(true);
    const res = await revoke(app, client(), { token });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await isActive(app, client(), token)).toBe(false);
    expect(await isActive(app, client(), sibling)).toBe(true);
  });

  it('answers 200 for an unknown token, a malformed one, and one already revoked (§2.2)', async () => {
    for (const token of ['tsr_at_unknown', 'a.b.c', 'garbage']) expect((await revoke(app, referenceClient, { token })).status).toBe(200);
    const token = await issueToken(app, referenceClient);
    expect((await revoke(app, referenceClient, { token })).status).toBe(200);
    expect((await revoke(app, referenceClient, { token })).status).toBe(200);
    const jwt = await issueToken(app, jwtClient);
    expect((await revoke(app, jwtClient, { token: jwt })).status).toBe(200);
    expect((await revoke(app, jwtClient, { token: jwt })).status).toBe(200);
  });

  it('searches every token type when the token_type_hint is wrong (§2.1)', async () => {
    const token = await issueToken(app, referenceClient);
    expect((await revoke(app, referenceClient, { token, token_type_hint: 'refresh_token' })).status).toBe(200);
    expect(await isActive(app, referenceClient, token)).toBe(false);
  });

  it.each([
    ['reference', () => referenceClient],
    ['JWT', () => jwtClient],
  ])('refuses to revoke a %s token issued to another client (unauthorized_client), and the token stays active', async (_format, owner) => {
    const token = await issueToken(app, owner());
    const res = await revoke(app, other, { token });
    expect(res.status).toBe(400);
    expect((await json(res)).error).toBe('unauthorized_client');
    expect(await isActive(app, owner(), token)).toBe(true);
  });

  it('refuses a request without token with invalid_request', async () => {
    const res = await revoke(app, referenceClient, {});
    expect(res.status).toBe(400);
    expect((await json(res)).error).toBe('invalid_request');
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('requires client authentication: no credentials or a wrong secret get 401 invalid_client, and revoke nothing', async () => {
    const token = await issueToken(app, referenceClient);
    const anonymous = await app.form('/oauth2/revoke', { token });
    expect({ status: anonymous.status, error: (await json(anonymous)).error }).toEqual({ status: 401, error: 'invalid_client' });
    const wrong = await app.form('/oauth2/revoke', { token }, { authorization: `Basic ${Buffer.from(`${referenceClient.client_id}:tsr_cs_${'x'.repeat(43)}`).toString('base64')}` });
    expect({ status: wrong.status, error: (await json(wrong)).error }).toEqual({ status: 401, error: 'invalid_client' });
    expect(wrong.headers.get('www-authenticate')).toMatch(/^Basic /);
    expect(await isActive(app, referenceClient, token)).toBe(true);
  });

  it('lets a public client call it with its client_id, but not revoke a confidential client\'s token', async () => {
    const created = await app.internal('POST', '/internal/clients', { token_endpoint_auth_method: 'none', grant_types: ['authorization_code'], redirect_uris: ['https://spa.test/cb'] });
    const client_id = created.body['client_id'] as string;
    expect((await app.form('/oauth2/revoke', { token: 'tsr_at_unknown', client_id })).status).toBe(200);
    const token = await issueToken(app, referenceClient);
    const res = await app.form('/oauth2/revoke', { token, client_id });
    expect((await json(res)).error).toBe('unauthorized_client');
    expect(await isActive(app, referenceClient, token)).toBe(true);
  });
});
