import { TokenError } from './token-error';
import { fromIntrospection, type ClaimChecks } from './verified-token';

const NOW = 1_800_000_000;
const checks: ClaimChecks = { issuer: 'https://id.example.com', audiences: ['https://api.example.com/orders'], clockToleranceSec: 5, now: NOW };
const active = {
  active: true,
  scope: 'orders:read orders:write',
  client_id: 'app',
  sub: 'user-1',
  aud: 'https://api.example.com/orders',
  iss: 'https://id.example.com',
  exp: NOW + 60,
  iat: NOW - 10,
  jti: 'j1',
  token_type: 'Bearer',
};

const refusal = (answer: Record<string, unknown>) => {
  try {
    fromIntrospection(answer, checks);
  } catch (err) {
    expect(err).toBeInstanceOf(TokenError);
    return { code: (err as TokenError).code, detail: (err as TokenError).detail };
  }
  throw new Error('accepted');
};

describe('fromIntrospection (RFC 7662 answers)', () => {
  it('maps an active answer for this API', () => {
    expect(fromIntrospection(active, checks)).toEqual({
      format: 'reference',
      sub: 'user-1',
      client_id: 'app',
      scopes: ['orders:read', 'orders:write'],
      aud: ['https://api.example.com/orders'],
      exp: NOW + 60,
      iat: NOW - 10,
      jti: 'j1',
      claims: active,
    });
    expect(fromIntrospection({ ...active, aud: ['https://other', 'https://api.example.com/orders'], scope: undefined, token_type: 'bearer' }, checks).scopes).toEqual([]);
  });

  it.each([
    [{ active: false }, 'inactive'],
    [{ ...active, active: 'true' }, 'inactive'],
    [{ ...active, token_type: 'refresh_token' }, 'not_an_access_token'],
    [{ ...active, token_type: 'DPoP' }, 'not_an_access_token'],
    [{ ...active, iss: 'https://evil.example.com' }, 'wrong_issuer'],
    [{ ...active, aud: 'https://api.example.com/billing' }, 'wrong_audience'],
    [{ ...active, aud: undefined }, 'wrong_audience'],
    [{ ...active, exp: undefined }, 'missing_exp'],
    [{ ...active, exp: NOW - 5 }, 'expired'],
    [{ ...active, nbf: NOW + 30 }, 'not_yet_valid'],
    [{ ...active, client_id: undefined }, 'missing_client_id'],
    [{ ...active, scope: ['orders:read'] }, 'invalid_scope_claim'],
  ])('refuses %j as invalid_token (%s)', (answer, detail) => {
    expect(refusal(answer)).toEqual({ code: 'invalid_token', detail });
  });

  it('tolerates clock skew within clockToleranceSec on exp', () => {
    expect(fromIntrospection({ ...active, exp: NOW - 4 }, checks).exp).toBe(NOW - 4);
  });
});
