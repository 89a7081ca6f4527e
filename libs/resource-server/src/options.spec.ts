import { normalizeOptions, type ResourceServerOptions } from './options';

describe('normalizeOptions', () => {
  it('fills the documented defaults', () => {
    const o = normalizeOptions({ issuer: 'https://id.example.com', audience: 'https://api.example.com', introspection: { clientId: 'rs', clientSecret: 's3cret' } });
    expect(o).toMatchObject({
      issuer: 'https://id.example.com',
      audiences: ['https://api.example.com'],
      clockToleranceSec: 5,
      algorithms: ['ES256', 'EdDSA', 'PS256', 'RS256'],
      jwksCooldownMs: 30_000,
      introspection: { clientId: 'rs', clientSecret: 's3cret', cacheTtlMs: 5_000 },
    });
    expect(o.jwksUri).toBeUndefined();
    expect(typeof o.fetch).toBe('function');
  });

  it('keeps a cache TTL of 0 (no cache) and a tolerance of 0', () => {
    const o = normalizeOptions({ issuer: 'https://id.example.com', audience: ['a', 'b', 'a'], clockToleranceSec: 0, introspection: { clientId: 'rs', clientSecret: 's', cacheTtlMs: 0 } });
    expect(o.introspection?.cacheTtlMs).toBe(0);
    expect(o.clockToleranceSec).toBe(0);
    expect(o.audiences).toEqual(['a', 'b']);
  });

  it('reports every bad option at once, without echoing the client secret', () => {
    const secret = 'tsr_cs_very-secret-value';
    const bad = {
      issuer: 'ftp://id.example.com',
      audience: [],
      jwksUri: 'not a url',
      introspection: { clientId: '', clientSecret: secret, cacheTtlMs: -1, endpoint: 'javascript:alert(1)' },
      clockToleranceSec: Number.NaN,
      algorithms: ['HS256', 'none'],
      jwksCooldownMs: -5,
    } as unknown as ResourceServerOptions;
    let message = '';
    try {
      normalizeOptions(bad);
    } catch (err) {
      expect(err).toBeInstanceOf(TypeError);
      message = (err as Error).message;
    }
    expect(message).toBe(
      'Invalid resource server options: issuer must be an http(s) URL without query or fragment; audience must be a non-empty string or a non-empty array of them; ' +
        'jwksUri must be an http(s) URL; introspection.endpoint must be an http(s) URL; introspection.clientId must be a non-empty string; ' +
        'introspection.cacheTtlMs must be a number >= 0; clockToleranceSec must be a number >= 0; algorithms must be a non-empty subset of ES256, EdDSA, PS256, RS256; ' +
        'jwksCooldownMs must be a number >= 0.',
    );
    expect(message).not.toContain(secret);
  });

  it('refuses symmetric and unsecured algorithms even alone', () => {
    for (const algorithms of [['HS256'], ['none'], []]) {
      expect(() => normalizeOptions({ issuer: 'https://id.example.com', audience: 'a', algorithms } as unknown as ResourceServerOptions)).toThrow(/algorithms/);
    }
  });
});
