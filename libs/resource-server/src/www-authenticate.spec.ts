import { TokenError } from './token-error';
import { DEFAULT_REALM, wwwAuthenticate } from './www-authenticate';

describe('wwwAuthenticate (RFC 6750 §3)', () => {
  it('gives a request without credentials a bare challenge: the realm, no error information (§3.1)', () => {
    expect(wwwAuthenticate(undefined, 'https://api.example.com')).toBe('Bearer realm="https://api.example.com"');
    expect(wwwAuthenticate(TokenError.missingCredentials(), 'orders')).toBe('Bearer realm="orders"');
  });

  it('always carries at least one auth-param, as §3 requires', () => {
    expect(wwwAuthenticate(undefined)).toBe(`Bearer realm="${DEFAULT_REALM}"`);
    expect(wwwAuthenticate(new TokenError('invalid_token', 'Expired.'))).toBe('Bearer error="invalid_token", error_description="Expired."');
  });

  it('names the error and its description', () => {
    expect(wwwAuthenticate(new TokenError('invalid_token', 'The access token has expired'), 'example')).toBe(
      'Bearer realm="example", error="invalid_token", error_description="The access token has expired"',
    );
    expect(wwwAuthenticate(new TokenError('invalid_request', 'Malformed.'), 'x')).toBe('Bearer realm="x", error="invalid_request", error_description="Malformed."');
  });

  it('adds the needed scope to insufficient_scope only', () => {
    expect(wwwAuthenticate(new TokenError('insufficient_scope', 'Needs more.', { scope: 'orders:read orders:write' }), 'x')).toBe(
      'Bearer realm="x", error="insufficient_scope", error_description="Needs more.", scope="orders:read orders:write"',
    );
    expect(wwwAuthenticate(new TokenError('invalid_token', 'No.', { scope: 'ignored' }), 'x')).not.toContain('scope=');
  });

  it('keeps every value inside its quoted-string: no header splitting, quotes escaped', () => {
    const header = wwwAuthenticate(new TokenError('invalid_token', 'Say "hi"\r\nSet-Cookie: a=b'), 'my "realm"\r\nX-Evil: 1\\');
    expect(header).not.toMatch(/[\r\n]/);
    expect(header).toBe(`Bearer realm="my \\"realm\\"X-Evil: 1\\\\", error="invalid_token", error_description="Say 'hi'Set-Cookie: a=b"`);
  });
});
