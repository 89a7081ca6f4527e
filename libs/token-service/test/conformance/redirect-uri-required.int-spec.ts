/**
 * oidcc-ensure-redirect-uri-in-authorization-request (Dynamic OP): OpenID Connect Core §3.1.2.1
 * makes redirect_uri REQUIRED in an authentication request, though OAuth 2.0 lets a client with
 * one registered URI omit it (RFC 6749 §3.1.2.3). Once failed (the OAuth rule was applied to
 * OpenID requests too); fixed in CheckRedirectUriStep.
 */
import { testEngines } from '@tessera/test-kit';
import { isInteraction, Oidc, REDIRECT, type OidcClient } from '../oidc/support';
import { dynamicClient } from './support';

describe.each(testEngines())('conformance-suite: redirect_uri in OpenID requests (%s)', (engine) => {
  let oidc: Oidc;

  beforeAll(async () => {
    oidc = await Oidc.start(engine);
  });
  afterAll(() => oidc?.close());

  describe('Dynamic OP', () => {
    /**
     * oidcc-ensure-redirect-uri-in-authorization-request (Dynamic OP). OpenID Connect Core
     * §3.1.2.1 makes redirect_uri REQUIRED in an authentication request, and §3.1.2.2 has the
     * server verify that every required parameter is present. Tessera applies OAuth's rule
     * (RFC 6749 §3.1.2.3: it may be omitted when exactly one is registered) to OpenID requests
     * too: CheckRedirectUriStep (src/authorize/steps/check-redirect-uri.step.ts) falls back to
     * the single registered URI whatever the scope, so the request goes on to the login page.
     * The suite expects an error page, or an error redirect with invalid_request (or
     * invalid_request_object) and the state.
     */
    it('oidcc-ensure-redirect-uri-in-authorization-request: an OpenID request without redirect_uri is refused', async () => {
      const client: OidcClient = await dynamicClient(oidc, {
        client_name: 'conformance redirect-uri-missing',
        redirect_uris: [REDIRECT],
      });
      const res = await oidc.authorize(oidc.browser(), client, { redirect_uri: '', state: 'st-missing' });
      expect(isInteraction(res, 'login')).toBe(false);
      // Not verified, so never redirected: an error page.
      expect(res.status).toBe(400);
      expect(res.headers.get('location')).toBeNull();
      expect(await res.text()).toContain('redirect_uri is required');
    });

    it('still lets a plain OAuth 2.0 request (no openid) omit the single registered redirect_uri', async () => {
      const client: OidcClient = await oidc.client({ allowed_scopes: ['orders:read'] });
      const res = await oidc.authorize(oidc.browser(), client, { redirect_uri: '', scope: 'orders:read' });
      expect(isInteraction(res, 'login')).toBe(true);
    });
  });
});
