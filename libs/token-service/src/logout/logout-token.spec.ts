import { decodeProtectedHeader, importJWK, jwtVerify } from 'jose';
import { generateSigningKey, JwsSigner } from '@tessera/token-formats';
import { BACKCHANNEL_LOGOUT_EVENT, buildLogoutTokenClaims, issueLogoutToken, LOGOUT_TOKEN_TTL, LOGOUT_TOKEN_TYP } from './logout-token';

const base = { issuer: 'https://id.example.com', audience: 'client-1', issuedAt: 1_700_000_000 };

/** OpenID Connect Back-Channel Logout 1.0 §2.4. */
describe('logout tokens', () => {
  it('carry iss, aud, iat, a short exp, a unique jti, the events claim, sub and sid, and no nonce', () => {
    const claims = buildLogoutTokenClaims({ ...base, sub: 'alice', sid: 'sid-1' });
    expect(claims).toEqual({
      iss: base.issuer,
      aud: 'client-1',
      iat: base.issuedAt,
      exp: base.issuedAt + LOGOUT_TOKEN_TTL,
      jti: expect.stringMatching(/^[\w-]{20,}$/),
      events: { [BACKCHANNEL_LOGOUT_EVENT]: {} },
      sub: 'alice',
      sid: 'sid-1',
    });
    expect(LOGOUT_TOKEN_TTL).toBeLessThanOrEqual(300);
    expect(claims).not.toHaveProperty('nonce');
    expect(buildLogoutTokenClaims({ ...base, sub: 'alice' }).jti).not.toBe(claims.jti);
  });

  it('name a subject, a session, or both, never neither', () => {
    expect(buildLogoutTokenClaims({ ...base, sid: 'sid-1' })).not.toHaveProperty('sub');
    expect(buildLogoutTokenClaims({ ...base, sub: 'alice' })).not.toHaveProperty('sid');
    expect(() => buildLogoutTokenClaims(base)).toThrow(TypeError);
  });

  it.each(['RS256', 'ES256', 'PS256', 'EdDSA'] as const)('are signed with typ logout+jwt (%s) and verify with jose', async (alg) => {
    const key = await generateSigningKey(alg);
    const signer = new JwsSigner(key.privateJwk);
    const now = Math.floor(Date.now() / 1000);
    const token = issueLogoutToken(signer, buildLogoutTokenClaims({ ...base, issuedAt: now, sub: 'alice' }));

    expect(decodeProtectedHeader(token)).toEqual({ alg, kid: key.kid, typ: LOGOUT_TOKEN_TYP });
    const { payload } = await jwtVerify(token, await importJWK(key.publicJwk, alg), { issuer: base.issuer, audience: 'client-1', typ: 'logout+jwt' });
    expect(payload.events).toEqual({ [BACKCHANNEL_LOGOUT_EVENT]: {} });
  });
});
