import { generateKeyPair } from 'jose';
import { FakeClock, testEngines } from '@tessera/test-kit';
import { startTokenService, type TestApp } from '../support/token-service-app';
import { assertionParams, basicHeader, clientAssertion, expectOAuthError, formEncode, percentEncodeAll, registerKeyPairClient, type KeyPairClient, json } from './client-auth.fixture';

/** RFC 6749 §2.3 and RFC 7523 §2.2/§3: every client authentication method, and every way to fail one. */
describe.each(testEngines())('client authentication (%s)', (engine) => {
  let app: TestApp;
  const clock = new FakeClock();
  let tokenEndpoint: string;

  beforeAll(async () => {
    app = await startTokenService({ engine, clock: clock.now });
    tokenEndpoint = `${app.issuer}/oauth2/token`;
  });
  afterAll(() => app?.close());

  const token = (params: Record<string, string>, headers: Record<string, string> = {}) => app.form('/oauth2/token', params, headers);
  const clientCredentials = { grant_type: 'client_credentials' };

  describe('client_secret_basic', () => {
    it('accepts the registered id and secret in the Authorization header', async () => {
      const c = await app.client();
      const res = await token(clientCredentials, { authorization: basicHeader(c.client_id, c.client_secret) });
      expect(res.status).toBe(200);
      expect(await json(res)).toMatchObject({ token_type: 'Bearer', access_token: expect.any(String) });
    });

    it('form-urlencodes the id and the secret before base64 (RFC 6749 §2.3.1), and the server decodes them', async () => {
      const clientId = 'svc~billing.v2_x-y';
      const created = await app.internal('POST', '/internal/clients', { client_id: clientId, grant_types: ['client_credentials'] });
      expect(created.status).toBe(201);
      const secret = created.body['client_secret'] as string;
      // The form serializer percent-encodes "~": a server that skipped the decoding would look up "svc%7Ebilling...".
      expect(formEncode(clientId)).toContain('%7E');
      const encoded = await token(clientCredentials, { authorization: basicHeader(formEncode(clientId), formEncode(secret)) });
      expect(encoded.status).toBe(200);
      const everyByteEncoded = await token(clientCredentials, { authorization: basicHeader(percentEncodeAll(clientId), percentEncodeAll(secret)) });
      expect(everyByteEncoded.status).toBe(200);
      const body = await app.form('/oauth2/introspect', { token: (await json(everyByteEncoded)).access_token }, { authorization: basicHeader(formEncode(clientId), formEncode(secret)) });
      expect(await json(body)).toMatchObject({ active: true, client_id: clientId });
    });

    it('authenticates a client created with an id that was probed (and refused) just before', async () => {
      const clientId = 'probed-before-creation';
      await expectOAuthError(await token(clientCredentials, { authorization: basicHeader(clientId, 'tsr_cs_x'.padEnd(40, 'x')) }), 401, 'invalid_client');
      const created = await app.internal('POST', '/internal/clients', { client_id: clientId, grant_types: ['client_credentials'] });
      expect(created.status).toBe(201);
      const res = await token(clientCredentials, { authorization: basicHeader(clientId, created.body['client_secret'] as string) });
      expect(res.status).toBe(200);
    });

    it('answers a wrong secret with 401 invalid_client and a Basic challenge', async () => {
      const c = await app.client();
      const res = await token(clientCredentials, { authorization: basicHeader(c.client_id, `${c.client_secret}x`) });
      await expectOAuthError(res, 401, 'invalid_client');
      expect(res.headers.get('www-authenticate')).toMatch(/^Basic /);
    });

    it('refuses a client registered for client_secret_post that authenticates with Basic', async () => {
      const c = await app.client({ token_endpoint_auth_method: 'client_secret_post' });
      const res = await token(clientCredentials, { authorization: c.basic });
      await expectOAuthError(res, 401, 'invalid_client');
      expect(res.headers.get('www-authenticate')).toMatch(/^Basic /);
    });
  });

  describe('client_secret_post', () => {
    it('accepts client_id and client_secret in the body', async () => {
      const c = await app.client({ token_endpoint_auth_method: 'client_secret_post' });
      const res = await token({ ...clientCredentials, client_id: c.client_id, client_secret: c.client_secret });
      expect(res.status).toBe(200);
    });

    it('refuses a wrong secret with 401 invalid_client, still naming a scheme (RFC 9110 §15.5.2)', async () => {
      const c = await app.client({ token_endpoint_auth_method: 'client_secret_post' });
      const res = await token({ ...clientCredentials, client_id: c.client_id, client_secret: `${c.client_secret}x` });
      await expectOAuthError(res, 401, 'invalid_client');
      expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
    });

    it('refuses a client registered for client_secret_basic that sends its secret in the body', async () => {
      const c = await app.client();
      await expectOAuthError(await token({ ...clientCredentials, client_id: c.client_id, client_secret: c.client_secret }), 401, 'invalid_client');
    });
  });

  it('refuses two authentication methods in one request with 400 invalid_request (RFC 6749 §2.3)', async () => {
    const basic = await app.client();
    await expectOAuthError(await token({ ...clientCredentials, client_id: basic.client_id, client_secret: basic.client_secret }, { authorization: basic.basic }), 400, 'invalid_request');
    const jwt = await registerKeyPairClient(app, 'ES256');
    const assertion = await clientAssertion(jwt, jwt.privateKey, clock, app.issuer);
    await expectOAuthError(await token({ ...assertionParams(assertion), client_id: jwt.clientId, client_secret: 'tsr_cs_'.padEnd(40, 'x') }), 400, 'invalid_request');
  });

  describe('private_key_jwt', () => {
    let es256: KeyPairClient;
    let rs256: KeyPairClient;
    beforeAll(async () => {
      es256 = await registerKeyPairClient(app, 'ES256');
      rs256 = await registerKeyPairClient(app, 'RS256');
    });

    it.each(['ES256', 'RS256'] as const)('accepts a %s assertion whose aud is the issuer', async (alg) => {
      const c = alg === 'ES256' ? es256 : rs256;
      const res = await token(assertionParams(await clientAssertion(c, c.privateKey, clock, app.issuer)));
      expect(res.status).toBe(200);
    });

    it.each(['ES256', 'RS256'] as const)('accepts a %s assertion whose aud is the token endpoint URL', async (alg) => {
      const c = alg === 'ES256' ? es256 : rs256;
      const res = await token(assertionParams(await clientAssertion(c, c.privateKey, clock, tokenEndpoint)));
      expect(res.status).toBe(200);
    });

    it('accepts a client_id in the body that names the assertion subject', async () => {
      const res = await token(assertionParams(await clientAssertion(es256, es256.privateKey, clock, app.issuer), { client_id: es256.clientId }));
      expect(res.status).toBe(200);
    });

    it('refuses an assertion for another audience', async () => {
      const assertion = await clientAssertion(es256, es256.privateKey, clock, 'https://other-server.test');
      await expectOAuthError(await token(assertionParams(assertion)), 401, 'invalid_client');
    });

    it('refuses an assertion that expired by the server clock', async () => {
      const exp = Math.floor(clock.now() / 1000) + 60;
      const usedInTime = await clientAssertion(es256, es256.privateKey, clock, app.issuer, { exp });
      const usedLate = await clientAssertion(es256, es256.privateKey, clock, app.issuer, { exp });
      expect((await token(assertionParams(usedInTime))).status).toBe(200);
      clock.advance(120);
      await expectOAuthError(await token(assertionParams(usedLate)), 401, 'invalid_client');
    });

    it('refuses an assertion that lives longer than ten minutes', async () => {
      const now = Math.floor(clock.now() / 1000);
      const longLived = await clientAssertion(es256, es256.privateKey, clock, app.issuer, { iat: now, exp: now + 601 });
      await expectOAuthError(await token(assertionParams(longLived)), 401, 'invalid_client');
      const withoutIat = await clientAssertion(es256, es256.privateKey, clock, app.issuer, { iat: null, exp: now + 3600 });
      await expectOAuthError(await token(assertionParams(withoutIat)), 401, 'invalid_client');
      const tenMinutes = await clientAssertion(es256, es256.privateKey, clock, app.issuer, { iat: now, exp: now + 600 });
      expect((await token(assertionParams(tenMinutes))).status).toBe(200);
    });

    it('refuses an assertion without jti', async () => {
      const assertion = await clientAssertion(es256, es256.privateKey, clock, app.issuer, { jti: null });
      await expectOAuthError(await token(assertionParams(assertion)), 401, 'invalid_client');
    });

    it('refuses a replayed jti, at the same endpoint and at another one', async () => {
      const assertion = await clientAssertion(es256, es256.privateKey, clock, app.issuer);
      expect((await token(assertionParams(assertion))).status).toBe(200);
      await expectOAuthError(await token(assertionParams(assertion)), 401, 'invalid_client');
      const introspect = await app.form('/oauth2/introspect', { token: 'tsr_at_unknown', client_assertion_type: assertionParams(assertion).client_assertion_type, client_assertion: assertion });
      await expectOAuthError(introspect, 401, 'invalid_client');
      const sameJtiNewAssertion = await clientAssertion(es256, es256.privateKey, clock, tokenEndpoint, { jti: 'reused-jti' });
      expect((await token(assertionParams(sameJtiNewAssertion))).status).toBe(200);
      const again = await clientAssertion(es256, es256.privateKey, clock, tokenEndpoint, { jti: 'reused-jti' });
      await expectOAuthError(await token(assertionParams(again)), 401, 'invalid_client');
    });

    it('refuses an assertion signed by a key the client did not register', async () => {
      const { privateKey: stranger } = await generateKeyPair('ES256');
      // Same kid as the registered key: only the signature can tell them apart.
      await expectOAuthError(await token(assertionParams(await clientAssertion(es256, stranger, clock, app.issuer))), 401, 'invalid_client');
      const otherKid = await clientAssertion({ ...es256, kid: 'not-registered' }, stranger, clock, app.issuer);
      await expectOAuthError(await token(assertionParams(otherKid)), 401, 'invalid_client');
      // Another client's genuine key does not authenticate this client either.
      const borrowed = await clientAssertion({ ...rs256, clientId: es256.clientId }, rs256.privateKey, clock, app.issuer);
      await expectOAuthError(await token(assertionParams(borrowed)), 401, 'invalid_client');
    });

    it('refuses an assertion whose iss differs from its sub', async () => {
      const assertion = await clientAssertion(es256, es256.privateKey, clock, app.issuer, { iss: rs256.clientId });
      await expectOAuthError(await token(assertionParams(assertion)), 401, 'invalid_client');
    });

    it('refuses a client registered for client_secret_basic that presents an assertion', async () => {
      const basic = await app.client();
      const assertion = await clientAssertion({ ...es256, clientId: basic.client_id }, es256.privateKey, clock, app.issuer);
      await expectOAuthError(await token(assertionParams(assertion)), 401, 'invalid_client');
    });
  });

  describe('none (public clients)', () => {
    let publicClientId: string;
    beforeAll(async () => {
      const res = await app.internal('POST', '/internal/clients', {
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code'],
        redirect_uris: ['https://spa.test/cb'],
      });
      expect(res.status).toBe(201);
      expect(res.body['client_secret']).toBeUndefined();
      publicClientId = res.body['client_id'] as string;
    });

    it('identifies a public client by client_id alone, and refuses it the client_credentials grant with unauthorized_client', async () => {
      await expectOAuthError(await token({ ...clientCredentials, client_id: publicClientId }), 400, 'unauthorized_client');
    });

    it('refuses client_id alone for a confidential client, and for an unknown one', async () => {
      const c = await app.client();
      await expectOAuthError(await token({ ...clientCredentials, client_id: c.client_id }), 401, 'invalid_client');
      await expectOAuthError(await token({ ...clientCredentials, client_id: 'no-such-client' }), 401, 'invalid_client');
    });

    it('refuses a public client that presents a secret', async () => {
      await expectOAuthError(await token({ ...clientCredentials, client_id: publicClientId, client_secret: 'tsr_cs_'.padEnd(40, 'y') }), 401, 'invalid_client');
    });
  });

  describe('no oracle', () => {
    it('gives the same error_description for an unknown client, a wrong secret and a wrong method; the log has the reason, never the secret', async () => {
      const c = await app.client();
      const wrongSecret = `tsr_cs_wrong_${'z'.repeat(40)}`;
      const logStart = app.logs.length;
      const unknown = await expectOAuthError(await token(clientCredentials, { authorization: basicHeader('unknown-client-id', wrongSecret) }), 401, 'invalid_client');
      const mismatch = await expectOAuthError(await token(clientCredentials, { authorization: basicHeader(c.client_id, wrongSecret) }), 401, 'invalid_client');
      const wrongMethod = await expectOAuthError(await token({ ...clientCredentials, client_id: c.client_id, client_secret: c.client_secret }), 401, 'invalid_client');
      expect(unknown.error_description).toBe(mismatch.error_description);
      expect(wrongMethod.error_description).toBe(mismatch.error_description);
      for (const body of [unknown, mismatch]) expect(JSON.stringify(body)).not.toMatch(/unknown-client-id|mismatch|not found/i);

      const lines = app.logs.slice(logStart);
      const refusals = lines.map((l) => JSON.parse(l)).filter((l) => l.error === 'invalid_client');
      expect(refusals.map((l) => l.detail)).toEqual([
        expect.stringContaining('unknown-client-id'),
        expect.stringMatching(/secret mismatch/),
        expect.stringMatching(/client_secret_basic.*client_secret_post|client_secret_post.*client_secret_basic/),
      ]);
      const written = lines.join('\n');
      expect(written).not.toContain(wrongSecret);
      expect(written).not.toContain(c.client_secret);
    });
  });
});
