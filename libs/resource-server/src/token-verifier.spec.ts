import { JwsSigner, buildAccessTokenClaims, generateSigningKey, type SigningKey } from '@tessera/token-formats';
import { IssuerUnavailableError, TokenError } from './token-error';
import { TokenVerifier } from './token-verifier';
import type { ResourceServerOptions } from './options';

const ISSUER = 'https://id.example.com';
const API = 'https://api.example.com/orders';

/**
 * An authorization server in memory, for what the real token service never does: sign a
 * `typ: JWT` token, answer with a redirect, an oversized or malformed body, another issuer.
 */
class FakeIssuer {
  key!: SigningKey;
  signer!: JwsSigner;
  requests: Array<{ url: string; init: RequestInit }> = [];
  discovery: Record<string, unknown> = {
    issuer: ISSUER,
    jwks_uri: `${ISSUER}/oauth2/jwks`,
    introspection_endpoint: `${ISSUER}/oauth2/introspect`,
  };
  introspection: () => Response = () => Response.json({ active: false });

  async init() {
    this.key = await generateSigningKey('ES256');
    this.signer = new JwsSigner(this.key.privateJwk);
    return this;
  }

  fetch: typeof fetch = async (input, init = {}) => {
    const url = String(input);
    this.requests.push({ url, init });
    if (url === `${ISSUER}/.well-known/openid-configuration`) return Response.json(this.discovery);
    if (url === `${ISSUER}/oauth2/jwks`) return Response.json({ keys: [this.key.publicJwk] });
    if (url === `${ISSUER}/oauth2/introspect`) return this.introspection();
    return new Response('not found', { status: 404 });
  };

  accessToken(typ: string | undefined, overrides: Record<string, unknown> = {}): string {
    const now = Math.floor(Date.now() / 1000);
    const claims = { ...buildAccessTokenClaims({ issuer: ISSUER, subject: 'user-1', clientId: 'app', audience: API, scope: 'orders:read', ttlSeconds: 300, now }), ...overrides };
    return this.signer.sign(claims, typ === undefined ? {} : { typ });
  }

  options(extra: Partial<ResourceServerOptions> = {}): ResourceServerOptions {
    return { issuer: ISSUER, audience: API, fetch: this.fetch, introspection: { clientId: 'rs', clientSecret: 'secret', cacheTtlMs: 0 }, ...extra };
  }
}

const reasonOf = async (promise: Promise<unknown>) => {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TokenError);
  return { code: (err as TokenError).code, status: (err as TokenError).status, detail: (err as TokenError).detail };
};

describe('TokenVerifier', () => {
  let issuer: FakeIssuer;
  beforeEach(async () => {
    issuer = await new FakeIssuer().init();
  });

  describe('JWT access tokens', () => {
    it('accepts typ at+jwt, and application/at+jwt (RFC 9068 §4)', async () => {
      const verifier = new TokenVerifier(issuer.options());
      for (const typ of ['at+jwt', 'application/at+jwt', 'AT+JWT']) {
        expect((await verifier.verify(issuer.accessToken(typ))).scopes).toEqual(['orders:read']);
      }
    });

    it('refuses a correctly signed token whose typ is JWT, or that has none (an ID token, a logout token)', async () => {
      const verifier = new TokenVerifier(issuer.options());
      for (const typ of ['JWT', undefined, 'logout+jwt', 'token-introspection+jwt']) {
        expect(await reasonOf(verifier.verify(issuer.accessToken(typ)))).toEqual({ code: 'invalid_token', status: 401, detail: 'wrong_type' });
      }
    });

    it('refuses a token without the claims RFC 9068 §2.2 requires', async () => {
      const verifier = new TokenVerifier(issuer.options());
      for (const missing of ['client_id', 'jti', 'sub', 'iat']) {
        expect(await reasonOf(verifier.verify(issuer.accessToken('at+jwt', { [missing]: undefined })))).toMatchObject({ code: 'invalid_token', detail: 'invalid_claims' });
      }
    });

    it('refuses a token that is not yet valid (nbf) beyond the tolerance', async () => {
      const verifier = new TokenVerifier(issuer.options({ clockToleranceSec: 5 }));
      const nbf = Math.floor(Date.now() / 1000) + 60;
      expect(await reasonOf(verifier.verify(issuer.accessToken('at+jwt', { nbf })))).toMatchObject({ code: 'invalid_token', detail: 'invalid_claims' });
    });

    it('refuses empty, oversized and unrecognised values without any network call', async () => {
      const verifier = new TokenVerifier(issuer.options());
      expect(await reasonOf(verifier.verify(''))).toMatchObject({ detail: 'empty' });
      expect(await reasonOf(verifier.verify('x'.repeat(8 * 1024 + 1)))).toMatchObject({ detail: 'too_long' });
      expect(await reasonOf(verifier.verify('not-a-token'))).toMatchObject({ detail: 'unrecognised_format' });
      expect(issuer.requests).toEqual([]);
    });

    it('treats a discovery document naming another issuer as an unavailable issuer (OpenID Discovery §4.3)', async () => {
      issuer.discovery = { ...issuer.discovery, issuer: 'https://evil.example.com' };
      const verifier = new TokenVerifier(issuer.options());
      const err = await verifier.verify(issuer.accessToken('at+jwt')).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(IssuerUnavailableError);
      expect((err as Error).message).toBe(`The discovery document at ${ISSUER}/.well-known/openid-configuration names another issuer than ${ISSUER}`);
    });

    it('uses jwksUri when given, without discovery', async () => {
      const verifier = new TokenVerifier(issuer.options({ jwksUri: `${ISSUER}/oauth2/jwks` }));
      await verifier.verify(issuer.accessToken('at+jwt'));
      expect(issuer.requests.map((r) => r.url)).toEqual([`${ISSUER}/oauth2/jwks`]);
    });
  });

  describe('introspection', () => {
    const reference = 'tsr_at_' + 'q'.repeat(43);

    it('authenticates with client_secret_basic, both parts form-urlencoded (RFC 6749 §2.3.1), and never follows redirects', async () => {
      issuer.introspection = () => Response.json({ active: false });
      const verifier = new TokenVerifier(issuer.options({ introspection: { clientId: 'rs:1 é', clientSecret: 'p@ss word+', cacheTtlMs: 0 } }));
      await reasonOf(verifier.verify(reference));
      const call = issuer.requests.find((r) => r.url.endsWith('/oauth2/introspect'));
      const authorization = new Headers(call?.init.headers).get('authorization') ?? '';
      expect(Buffer.from(authorization.replace(/^Basic /, ''), 'base64').toString()).toBe('rs%3A1+%C3%A9:p%40ss+word%2B');
      expect(call?.init).toMatchObject({ method: 'POST', redirect: 'manual', body: `token=${reference}&token_type_hint=access_token` });
      for (const r of issuer.requests) expect(r.init.redirect).toBe('manual');
    });

    it.each([
      ['a redirect', () => new Response(null, { status: 302, headers: { location: 'https://elsewhere.example.com/' } }), 'answered HTTP 302'],
      ['an answer without a boolean active', () => Response.json({ active: 'yes' }), 'answered without a boolean "active"'],
      ['a body that is not JSON', () => new Response('<html>', { status: 200 }), 'did not answer with a JSON object'],
      ['an oversized body', () => new Response(JSON.stringify({ active: true, pad: 'x'.repeat(300 * 1024) })), 'sent an unreadable answer'],
    ])('treats %s as an unavailable issuer, not as a verdict on the token', async (_what, answer, message) => {
      issuer.introspection = answer;
      const err = await new TokenVerifier(issuer.options()).verify(reference).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(IssuerUnavailableError);
      expect((err as Error).message).toContain(message);
      expect((err as Error).message).not.toContain(reference);
    });

    it('refuses an introspectJwt answer that is not application/token-introspection+jwt', async () => {
      issuer.introspection = () => Response.json({ active: true });
      const err = await new TokenVerifier(issuer.options()).introspectJwt(reference).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(IssuerUnavailableError);
      expect((err as Error).message).toContain('did not answer with application/token-introspection+jwt');
    });

    it('refuses an introspectJwt answer signed without the RFC 9701 typ', async () => {
      issuer.introspection = () =>
        new Response(issuer.signer.sign({ iss: ISSUER, aud: 'rs', iat: Math.floor(Date.now() / 1000), token_introspection: { active: true } }, { typ: 'JWT' }), {
          headers: { 'content-type': 'application/token-introspection+jwt' },
        });
      const err = await new TokenVerifier(issuer.options()).introspectJwt(reference).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(IssuerUnavailableError);
      expect((err as Error).message).toBe("The introspection endpoint's signed answer failed verification (wrong_type)");
    });
  });

  describe('a custom introspection request (Tessera\'s own APIs)', () => {
    const reference = 'tsr_at_' + 'r'.repeat(43);
    const active = (overrides: Record<string, unknown> = {}) => ({
      active: true,
      client_id: 'app',
      sub: 'user-1',
      scope: 'orders:read',
      aud: [API],
      exp: Math.floor(Date.now() / 1000) + 60,
      ...overrides,
    });

    it('asks the given function instead of the introspection endpoint, and checks its answer the same way', async () => {
      const asked: string[] = [];
      const verifier = new TokenVerifier({
        issuer: ISSUER,
        audience: API,
        fetch: issuer.fetch,
        introspection: { request: async (token) => (asked.push(token), active()), cacheTtlMs: 0 },
      });
      expect(await verifier.verify(reference)).toMatchObject({ format: 'reference', sub: 'user-1', scopes: ['orders:read'] });
      expect(asked).toEqual([reference]);
      expect(issuer.requests).toEqual([]);

      const otherApi = new TokenVerifier({ issuer: ISSUER, audience: API, introspection: { request: async () => active({ aud: ['https://other.example.com'] }) } });
      expect(await reasonOf(otherApi.verify(reference))).toMatchObject({ code: 'invalid_token', detail: 'wrong_audience' });
    });

    it('with allTokens, introspects JWTs too: a revoked JWT is refused though its signature is fine', async () => {
      let revoked = false;
      const verifier = new TokenVerifier({
        issuer: ISSUER,
        audience: API,
        fetch: issuer.fetch,
        introspection: { request: async () => (revoked ? { active: false } : active()), cacheTtlMs: 0, allTokens: true },
      });
      const jwt = issuer.accessToken('at+jwt');
      expect(await verifier.verify(jwt)).toMatchObject({ format: 'jwt', scopes: ['orders:read'] });
      revoked = true;
      expect(await reasonOf(verifier.verify(jwt))).toMatchObject({ code: 'invalid_token', detail: 'inactive' });
      // Verified locally, the same JWT would still pass: allTokens is what refuses it.
      expect((await new TokenVerifier(issuer.options()).verify(jwt)).format).toBe('jwt');
    });

    it('needs either the request function or the client credentials', () => {
      expect(() => new TokenVerifier({ issuer: ISSUER, audience: API, introspection: { cacheTtlMs: 0 } })).toThrow(/introspection.clientId must be a non-empty string/);
      expect(() => new TokenVerifier({ issuer: ISSUER, audience: API, introspection: { request: 'no' as unknown as () => Promise<Record<string, unknown>> } })).toThrow(
        /introspection.request must be a function/,
      );
    });
  });

  describe('authorize', () => {
    it('answers a missing header with a 401 marked credentialsMissing', async () => {
      const err = await new TokenVerifier(issuer.options()).authorize(undefined).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TokenError);
      expect(err).toMatchObject({ code: 'invalid_token', status: 401, credentialsMissing: true });
    });

    it('checks the scopes after the token', async () => {
      const verifier = new TokenVerifier(issuer.options());
      const header = `Bearer ${issuer.accessToken('at+jwt')}`;
      expect((await verifier.authorize(header, ['orders:read'])).client_id).toBe('app');
      expect(await reasonOf(verifier.authorize(header, ['orders:read', 'orders:write']))).toMatchObject({ code: 'insufficient_scope', status: 403 });
      expect(await reasonOf(verifier.authorize(`Bearer ${issuer.accessToken('JWT')}`, ['orders:write']))).toMatchObject({ code: 'invalid_token' });
    });
  });

  it('refuses bad options when constructed', () => {
    expect(() => new TokenVerifier({ issuer: 'id.example.com', audience: '' })).toThrow(/issuer must be .*; audience must be/);
  });
});
