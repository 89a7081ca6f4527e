import fc from 'fast-check';
import { startTokenService, type TestApp } from '../support/token-service-app';

/** Every JSON endpoint answers arbitrary JSON with a 4xx or a success: never a 500. */
describe('JSON endpoints under random bodies', () => {
  let app: TestApp;
  let configuration: { path: string; token: string };

  beforeAll(async () => {
    app = await startTokenService();
    const res = await fetch(`${app.url}/oauth2/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${app.registrationToken}` },
      body: JSON.stringify({ grant_types: ['client_credentials'] }),
    });
    const registered = (await res.json()) as Record<string, string>;
    configuration = { path: new URL(registered['registration_client_uri']).pathname, token: registered['registration_access_token'] };
  });
  afterAll(() => app?.close());

  // Shapes that look like client metadata, mixed with anything at all.
  const metadataLike = fc.dictionary(
    fc.constantFrom('client_id', 'grant_types', 'redirect_uris', 'scope', 'jwks', 'token_endpoint_auth_method', 'allowed_scopes', 'access_token_ttl', 'identifier', 'verifier', 'sub', 'amr', 'auth_time', 'grant_scope', 'alg', 'error'),
    fc.jsonValue(),
  );
  const body = fc.oneof(fc.jsonValue(), metadataLike);

  it('never answers 500', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(body, async (value) => {
        run += 1;
        const text = JSON.stringify(value) ?? 'null';
        const publicCalls = [
          fetch(`${app.url}/oauth2/register`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${app.registrationToken}` }, body: text }),
          fetch(`${app.url}${configuration.path}`, { method: 'PUT', headers: { 'content-type': 'application/json', authorization: `Bearer ${configuration.token}` }, body: text }),
        ];
        const responses = await Promise.all(publicCalls);
        for (const [method, path] of [
          ['POST', '/internal/clients'],
          ['POST', '/internal/resource-servers'],
          // A body it accepts rotates the signing keys (RSA key generation, slow on a loaded
          // machine): one run in four is enough to find what it does not accept.
          ...(run % 4 === 0 ? ([['POST', '/internal/keys/rotate']] as const) : []),
          ['POST', '/internal/challenges/unknown/accept'],
          ['POST', '/internal/challenges/unknown/reject'],
        ] as const) {
          responses.push(await rawInternal(method, path, text));
        }
        for (const res of responses) expect(res.status).toBeLessThan(500);
      }),
      { numRuns: 60 },
    );
    // A bound on a hang, not a speed check: CI machines are shared and noisy.
  }, 240_000);

  /** The harness's internal() sends JSON.stringify(body); here the raw text must go as it is. */
  const rawInternal = (method: string, path: string, text: string) =>
    fetch(`${app.internalUrl}${path}`, { method, headers: { 'content-type': 'application/json', authorization: app.internalAuthorization }, body: text });
});
