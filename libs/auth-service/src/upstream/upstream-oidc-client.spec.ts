import type { AuthServiceConfig } from '../config/auth-service-config';
import type { UpstreamIdpEntity } from './entities/upstream-idp.entity';
import type { UpstreamIdpsService } from './upstream-idps.service';
import { UpstreamFailure, UpstreamOidcClient } from './upstream-oidc-client';

// Production settings (TESSERA_UPSTREAM_ALLOW_PRIVATE unset): discovery goes through the guarded
// client, so a provider configured at a private or loopback address, or over http, is never fetched.
describe('UpstreamOidcClient outside tests', () => {
  const idps = { clientSecretOf: async () => 'secret' } as unknown as UpstreamIdpsService;
  const config = { issuer: 'https://id.example', upstreamAllowPrivate: false } as AuthServiceConfig;
  const client = new UpstreamOidcClient(idps, config, Date.now);
  const idp = (issuer: string) =>
    ({ id: 'corp', displayName: 'Corp', issuer, clientId: 'tessera', tokenEndpointAuthMethod: 'client_secret_basic', scopes: ['openid'], updatedAt: 1 }) as UpstreamIdpEntity;
  const checks = { state: 's', nonce: 'n', codeVerifier: 'v'.repeat(43) };

  it.each([
    ['https://127.0.0.1:9', /127\.0\.0\.1.*loopback/],
    ['https://169.254.169.254', /169\.254\.169\.254.*link-local/],
    ['https://[::1]:9', /loopback/],
    ['http://idp.example', /HTTPS/],
  ])('refuses to discover %s', async (issuer, detail) => {
    const err = await client.authorizationUrl(idp(issuer), checks).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UpstreamFailure);
    expect((err as UpstreamFailure).reason).toBe('unavailable');
    expect((err as UpstreamFailure).status).toBe(503);
    expect((err as UpstreamFailure).detail).toMatch(detail);
  });
});
