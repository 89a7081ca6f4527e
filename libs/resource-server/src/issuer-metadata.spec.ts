import { DISCOVERY_RETRY_AFTER_MS, IssuerMetadataSource } from './issuer-metadata';
import { IssuerUnavailableError } from './token-error';

describe('IssuerMetadataSource', () => {
  const ISSUER = 'https://id.example.com';
  let up = false;
  let calls = 0;
  let ms = 0;
  const fetchImpl: typeof fetch = async () => {
    calls++;
    if (!up) throw new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:443') });
    return Response.json({ issuer: ISSUER, jwks_uri: `${ISSUER}/oauth2/jwks`, introspection_endpoint: `${ISSUER}/oauth2/introspect` });
  };
  beforeEach(() => {
    up = false;
    calls = 0;
    ms = 1_000_000;
  });

  it('fails fast for a while after a failed fetch, then tries again', async () => {
    const source = new IssuerMetadataSource(ISSUER, fetchImpl, () => ms);
    const first = await source.get().catch((e: unknown) => e);
    expect(first).toBeInstanceOf(IssuerUnavailableError);
    expect((first as Error).message).toBe(
      `The discovery document at ${ISSUER}/.well-known/openid-configuration could not be reached (TypeError: connect ECONNREFUSED 127.0.0.1:443)`,
    );
    up = true;
    await expect(source.get()).rejects.toBeInstanceOf(IssuerUnavailableError);
    expect(calls).toBe(1);
    ms += DISCOVERY_RETRY_AFTER_MS;
    expect(await source.get()).toEqual({ jwksUri: `${ISSUER}/oauth2/jwks`, introspectionEndpoint: `${ISSUER}/oauth2/introspect` });
    expect(calls).toBe(2);
  });

  it('fetches once for concurrent callers and keeps the result', async () => {
    up = true;
    const source = new IssuerMetadataSource(ISSUER, fetchImpl, () => ms);
    await Promise.all([source.get(), source.get(), source.get()]);
    await source.get();
    expect(calls).toBe(1);
  });
});
