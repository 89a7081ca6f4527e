import { IssuerUnavailableError, TokenVerifier, INTROSPECTION_JWT_MEDIA_TYPE } from '../src';
import { refusalOf, verdict } from './support/refusals';
import { FetchLog, ISSUER, ORDERS_API, claimsOf, headerOf, startTokenService, type Client, type TokenService } from './support/token-service';

/**
 * RFC 9701 and the phantom-token pattern: a gateway exchanges the opaque token a client sent
 * for the authorization server's signed introspection answer, and the API behind it verifies
 * that JWT.
 */
describe('JWT introspection responses (RFC 9701)', () => {
  let ts: TokenService;
  let owner: Client;
  let gateway: Client;

  beforeAll(async () => {
    ts = await startTokenService();
    gateway = await ts.resourceServer(ORDERS_API);
    owner = await ts.client({ allowed_scopes: ['orders:read'] });
  });
  afterAll(() => ts?.close());

  const gatewayVerifier = (log?: FetchLog) =>
    new TokenVerifier(ts.options(ORDERS_API, { introspection: { clientId: gateway.client_id, clientSecret: gateway.client_secret } }, log));
  /** The API behind the gateway: no client of its own, it only verifies what the gateway forwards. */
  const apiVerifier = () => new TokenVerifier(ts.options(ORDERS_API));

  it('exchanges a reference token for the verified, signed answer, asking with Accept: application/token-introspection+jwt', async () => {
    const log = new FetchLog();
    const token = await ts.token(owner, { scope: 'orders:read', resource: ORDERS_API });

    const answer = await gatewayVerifier(log).introspectJwt(token);

    expect(answer.token_introspection).toEqual({
      active: true,
      scope: 'orders:read',
      client_id: owner.client_id,
      sub: owner.client_id,
      aud: ORDERS_API,
      iss: ISSUER,
      exp: expect.any(Number),
      iat: expect.any(Number),
      jti: expect.any(String),
      token_type: 'Bearer',
    });
    expect(headerOf(answer.jwt)).toMatchObject({ typ: 'token-introspection+jwt', kid: expect.any(String) });
    expect(claimsOf(answer.jwt)).toMatchObject({ iss: ISSUER, aud: gateway.client_id, iat: answer.iat });
    expect(log.calls.find((c) => c.path === '/oauth2/introspect')).toMatchObject({ method: 'POST', accept: INTROSPECTION_JWT_MEDIA_TYPE, authorization: gateway.basic });
  });

  it('returns the signed { active: false } for a revoked token', async () => {
    const token = await ts.token(owner, { scope: 'orders:read', resource: ORDERS_API });
    await ts.revoke(owner, token);
    expect((await gatewayVerifier().introspectJwt(token)).token_introspection).toEqual({ active: false });
  });

  it('lets the API behind the gateway verify the forwarded JWT against the gateway client as audience', async () => {
    const token = await ts.token(owner, { scope: 'orders:read', resource: ORDERS_API });
    const { jwt } = await gatewayVerifier().introspectJwt(token);

    const verified = await apiVerifier().verifyIntrospectionJwt(jwt, { audience: gateway.client_id });

    expect(verified.token_introspection).toMatchObject({ active: true, client_id: owner.client_id, aud: ORDERS_API });
    expect(verified.jwt).toBe(jwt);
  });

  it('refuses a forwarded JWT addressed to another client, altered, too old, or that is an access token', async () => {
    const token = await ts.token(owner, { scope: 'orders:read', resource: ORDERS_API });
    const { jwt } = await gatewayVerifier().introspectJwt(token);
    const api = apiVerifier();

    expect(verdict(await refusalOf(api.verifyIntrospectionJwt(jwt, { audience: owner.client_id }), jwt))).toEqual({
      code: 'invalid_token',
      status: 401,
      detail: 'wrong_audience',
    });

    const [header, payload, signature] = jwt.split('.');
    const claims = claimsOf(jwt);
    const altered = `${header}.${Buffer.from(JSON.stringify({ ...claims, token_introspection: { ...(claims['token_introspection'] as object), scope: 'orders:read orders:admin' } })).toString('base64url')}.${signature}`;
    expect(payload).not.toBe(altered.split('.')[1]);
    expect(verdict(await refusalOf(api.verifyIntrospectionJwt(altered, { audience: gateway.client_id }), altered))).toEqual({
      code: 'invalid_token',
      status: 401,
      detail: 'invalid_signature',
    });

    ts.shiftClock(-120);
    const old = (await gatewayVerifier().introspectJwt(token).catch((e: unknown) => e)) as Error;
    ts.shiftClock(120);
    // The gateway itself refuses a stale answer from its authorization server (iat two minutes ago)...
    expect(old).toBeInstanceOf(IssuerUnavailableError);
    expect(old.message).toBe("The introspection endpoint's signed answer failed verification (expired)");

    const accessToken = await ts.token(await ts.client({ allowed_scopes: ['orders:read'], access_token_format: 'jwt' }), { scope: 'orders:read', resource: ORDERS_API });
    expect(verdict(await refusalOf(api.verifyIntrospectionJwt(accessToken, { audience: claimsOf(accessToken)['client_id'] as string }), accessToken))).toEqual({
      code: 'invalid_token',
      status: 401,
      detail: 'wrong_type',
    });
  });

  it('refuses, as an unavailable issuer, a signed answer from the wrong issuer', async () => {
    const token = await ts.token(owner, { scope: 'orders:read', resource: ORDERS_API });
    const verifier = new TokenVerifier(
      ts.options(ORDERS_API, {
        issuer: 'https://other.tessera.test',
        jwksUri: `${ISSUER}/oauth2/jwks`,
        introspection: { endpoint: `${ISSUER}/oauth2/introspect`, clientId: gateway.client_id, clientSecret: gateway.client_secret },
      }),
    );
    const err = (await verifier.introspectJwt(token).catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(IssuerUnavailableError);
    expect(err.message).toBe("The introspection endpoint's signed answer failed verification (wrong_issuer)");
  });
});
