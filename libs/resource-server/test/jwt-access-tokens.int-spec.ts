import { createHmac } from 'node:crypto';
import { eventually } from '@tessera/test-kit';
import { JwsSigner, generateSigningKey } from '@tessera/token-formats';
import { TokenVerifier } from '../src';
import { refusalOf, verdict } from './support/refusals';
import { BILLING_API, FetchLog, ISSUER, ORDERS_API, claimsOf, headerOf, startTokenService, type Client, type TokenService } from './support/token-service';

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** RFC 9068 §4: what a resource server must check in a JWT access token, against tokens the real token service issued. */
describe('JWT access tokens (RFC 9068) from the token service', () => {
  let ts: TokenService;
  let jwtClient: Client;
  let ordersRs: Client;
  const SUB = 'user-ada';

  beforeAll(async () => {
    ts = await startTokenService({ passwordGrantSubject: SUB });
    ordersRs = await ts.resourceServer(ORDERS_API);
    await ts.resourceServer(BILLING_API);
    jwtClient = await ts.client({ allowed_scopes: ['orders:read', 'orders:write'], access_token_format: 'jwt' });
  });
  afterAll(() => ts?.close());

  const jwtFor = (resource = ORDERS_API, scope = 'orders:read orders:write') => ts.token(jwtClient, { scope, resource });

  it('accepts a valid token and reports its client, subject, scopes, audience and times', async () => {
    const verifier = new TokenVerifier(ts.options(ORDERS_API));
    const token = await jwtFor();
    const claims = claimsOf(token);

    const verified = await verifier.verify(token);

    expect(verified).toEqual({
      format: 'jwt',
      sub: jwtClient.client_id,
      client_id: jwtClient.client_id,
      scopes: ['orders:read', 'orders:write'],
      aud: [ORDERS_API],
      exp: claims['exp'],
      iat: claims['iat'],
      jti: claims['jti'],
      claims,
    });
    expect(claims['iss']).toBe(ISSUER);
    expect(headerOf(token)['typ']).toBe('at+jwt');
  });

  it('finds the JWKS through discovery once and keeps it for the next tokens', async () => {
    const log = new FetchLog();
    const verifier = new TokenVerifier(ts.options(ORDERS_API, {}, log));
    for (let i = 0; i < 3; i++) await verifier.verify(await jwtFor());
    expect(log.calls.map((c) => c.path)).toEqual(['/.well-known/openid-configuration', '/oauth2/jwks']);
  });

  it('accepts a token whose aud lists this API among others', async () => {
    const verifier = new TokenVerifier(ts.options([BILLING_API, ORDERS_API]));
    expect((await verifier.verify(await jwtFor(ORDERS_API))).aud).toEqual([ORDERS_API]);
  });

  it('refuses a token for another API (aud), with invalid_token', async () => {
    const verifier = new TokenVerifier(ts.options(ORDERS_API));
    const token = await jwtFor(BILLING_API);
    expect(verdict(await refusalOf(verifier.verify(token), token))).toEqual({ code: 'invalid_token', status: 401, detail: 'wrong_audience' });
  });

  it('refuses a token from another issuer, even when signed by a key it trusts', async () => {
    const verifier = new TokenVerifier(ts.options(ORDERS_API, { issuer: 'https://other.tessera.test', jwksUri: `${ISSUER}/oauth2/jwks` }));
    const token = await jwtFor();
    expect(verdict(await refusalOf(verifier.verify(token), token))).toEqual({ code: 'invalid_token', status: 401, detail: 'wrong_issuer' });
  });

  it('refuses an expired token, beyond the clock tolerance', async () => {
    // Only Date is faked, and frozen: "expired 2 s ago, within the 5 s tolerance" must not become
    // "expired 6 s ago" while a loaded machine issues the tokens and fetches the JWKS. The token
    // service's clock (Date.now() plus the shift) and the verifier's both read the frozen Date;
    // the token service and the network run on real timers.
    jest.useFakeTimers({ doNotFake: ['hrtime', 'nextTick', 'performance', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'] });
    try {
      const verifier = new TokenVerifier(ts.options(ORDERS_API, { clockToleranceSec: 5 }));
      ts.shiftClock(-3600 - 10);
      const expired = await jwtFor();
      ts.shiftClock(10 - 2); // expires 2 s ago: within the tolerance
      const justExpired = await jwtFor();
      ts.shiftClock(3600 - 8);
      expect(verdict(await refusalOf(verifier.verify(expired), expired))).toEqual({ code: 'invalid_token', status: 401, detail: 'expired' });
      expect((await verifier.verify(justExpired)).client_id).toBe(jwtClient.client_id);
    } finally {
      jest.useRealTimers();
    }
  });

  it('refuses an ID token (no typ at+jwt), even when its aud were one this API accepts', async () => {
    const passwordClient = await ts.client({ grant_types: ['password'], allowed_scopes: ['openid', 'orders:read'] });
    const res = await ts.form('/oauth2/token', { grant_type: 'password', username: 'ada', password: 'whatever', scope: 'openid' }, { authorization: passwordClient.basic });
    const { id_token } = (await res.json()) as { id_token: string };
    expect(claimsOf(id_token)).toMatchObject({ iss: ISSUER, aud: passwordClient.client_id, sub: SUB });
    expect(headerOf(id_token)['typ']).not.toBe('at+jwt');

    const verifier = new TokenVerifier(ts.options([ORDERS_API, passwordClient.client_id]));
    expect(verdict(await refusalOf(verifier.verify(id_token), id_token))).toEqual({ code: 'invalid_token', status: 401, detail: 'wrong_type' });
  });

  it('refuses a signed introspection response (typ token-introspection+jwt) presented as an access token', async () => {
    const reference = await ts.token(await ts.client({ allowed_scopes: ['orders:read'] }), { scope: 'orders:read', resource: ORDERS_API });
    const res = await ts.form('/oauth2/introspect', { token: reference }, { authorization: ordersRs.basic, accept: 'application/token-introspection+jwt' });
    const signed = await res.text();
    expect(headerOf(signed)['typ']).toBe('token-introspection+jwt');
    const verifier = new TokenVerifier(ts.options([ORDERS_API, ordersRs.client_id]));
    expect(verdict(await refusalOf(verifier.verify(signed), signed))).toEqual({ code: 'invalid_token', status: 401, detail: 'wrong_type' });
  });

  it('refuses an unsecured token (alg none) carrying a valid token\'s header and claims', async () => {
    const verifier = new TokenVerifier(ts.options(ORDERS_API));
    const real = await jwtFor();
    const forged = `${b64({ ...headerOf(real), alg: 'none' })}.${real.split('.')[1]}.`;
    expect(verdict(await refusalOf(verifier.verify(forged), forged))).toEqual({ code: 'invalid_token', status: 401, detail: 'algorithm_not_allowed' });
  });

  it('refuses an HS256 token keyed with the public key (algorithm confusion)', async () => {
    const verifier = new TokenVerifier(ts.options(ORDERS_API));
    const real = await jwtFor();
    const jwks = (await (await fetch(`${ts.url}/oauth2/jwks`)).json()) as { keys: Array<Record<string, string>> };
    const published = jwks.keys.find((k) => k['kid'] === headerOf(real)['kid']);
    const input = `${b64({ alg: 'HS256', typ: 'at+jwt', kid: headerOf(real)['kid'] })}.${real.split('.')[1]}`;
    const forged = `${input}.${createHmac('sha256', JSON.stringify(published)).update(input).digest('base64url')}`;
    expect(verdict(await refusalOf(verifier.verify(forged), forged))).toEqual({ code: 'invalid_token', status: 401, detail: 'algorithm_not_allowed' });
  });

  it('refuses a token signed by another key under the kid of a published one', async () => {
    const verifier = new TokenVerifier(ts.options(ORDERS_API));
    const real = await jwtFor();
    const attacker = await generateSigningKey('ES256');
    const forged = new JwsSigner({ ...attacker.privateJwk, kid: headerOf(real)['kid'] as string }).sign(claimsOf(real), { typ: 'at+jwt' });
    expect(verdict(await refusalOf(verifier.verify(forged), forged))).toEqual({ code: 'invalid_token', status: 401, detail: 'invalid_signature' });
  });

  it('refuses a token signed by a key the issuer never published, fetching the JWKS again at most once per cooldown', async () => {
    const log = new FetchLog();
    const verifier = new TokenVerifier(ts.options(ORDERS_API, {}, log)); // default cooldown: 30 s
    await verifier.verify(await jwtFor());
    expect(log.count('/oauth2/jwks')).toBe(1);
    const real = await jwtFor();
    for (let i = 0; i < 5; i++) {
      const attacker = await generateSigningKey('ES256');
      const forged = new JwsSigner(attacker.privateJwk).sign(claimsOf(real), { typ: 'at+jwt' });
      expect(verdict(await refusalOf(verifier.verify(forged), forged))).toEqual({ code: 'invalid_token', status: 401, detail: 'unknown_key' });
    }
    // Five made-up kids within the cooldown: not one more fetch.
    expect(log.count('/oauth2/jwks')).toBe(1);
  });

  it('follows a key rotation: a token signed by a key it has not seen makes it fetch the JWKS once, then accepts it', async () => {
    const log = new FetchLog();
    const verifier = new TokenVerifier(ts.options(ORDERS_API, { jwksCooldownMs: 0 }, log));
    const before = await jwtFor();
    await verifier.verify(before);
    expect(log.count('/oauth2/jwks')).toBe(1);

    // The first rotation promotes the pre-published key (already in the verifier's cache); the
    // second promotes a key published after the verifier's fetch.
    await ts.rotateKeys('ES256');
    const kid = await ts.rotateKeys('ES256');
    // The token service reloads its key set in the background after a rotation: wait until it signs with the new key.
    const after = await eventually(async () => {
      const token = await jwtFor();
      expect(headerOf(token)['kid']).toBe(kid);
      return token;
    });

    expect((await verifier.verify(after)).client_id).toBe(jwtClient.client_id);
    expect(log.count('/oauth2/jwks')).toBe(2);
    // Tokens signed by the retired key stay valid (it stays published), and nothing is fetched again.
    await verifier.verify(before);
    await verifier.verify(await jwtFor());
    expect(log.count('/oauth2/jwks')).toBe(2);
  });

  it('accepts only the algorithms it is configured for', async () => {
    const verifier = new TokenVerifier(ts.options(ORDERS_API, { algorithms: ['RS256'] }));
    const token = await jwtFor(); // ES256, the client's default
    expect(verdict(await refusalOf(verifier.verify(token), token))).toEqual({ code: 'invalid_token', status: 401, detail: 'algorithm_not_allowed' });
  });
});
