import { testEngines } from '@tessera/test-kit';
import { startPlatformApp, type PlatformApp } from '../support/platform-app';
import { claimsOf } from '../support/portal';

/**
 * "MFA is required if enrolled, if acr_values ask, or by client policy", and the password grant
 * cannot ask for a second factor: a client whose administrator requires MFA (`mfa_policy`, or
 * `default_acr_values` accepting MFA only) gets no tokens from a password alone.
 */
describe.each(testEngines())('password grant and the client MFA policy (%s)', (engine) => {
  let app: PlatformApp;

  beforeAll(async () => {
    app = await startPlatformApp({ engine });
  });
  afterAll(() => app.close());

  async function passwordGrant(client: { client_id: string; client_secret?: string }, username: string, password: string) {
    const res = await fetch(`${app.url}/oauth2/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${encodeURIComponent(client.client_id)}:${encodeURIComponent(client.client_secret as string)}`).toString('base64')}`,
      },
      body: new URLSearchParams({ grant_type: 'password', username, password, scope: 'openid' }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  it('refuses the password grant to a client whose policy requires MFA', async () => {
    const user = await app.user();
    const strict = await app.client({
      grant_types: ['password'],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: 'client_secret_basic',
      scope: 'openid',
      mfa_policy: 'required',
    });
    const granted = await passwordGrant(strict, user.email, user.password);
    const acr = typeof granted.body['id_token'] === 'string' ? claimsOf(granted.body['id_token']).acr : undefined;
    expect({ status: granted.status, acr }).toEqual({ status: 400, acr: undefined });
  });

  it('refuses the password grant to a client whose default_acr_values ask for MFA', async () => {
    const user = await app.user();
    const strict = await app.client({
      grant_types: ['password'],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: 'client_secret_basic',
      scope: 'openid',
      default_acr_values: ['urn:tessera:acr:mfa'],
    });
    const granted = await passwordGrant(strict, user.email, user.password);
    expect(granted.status).toBe(400);
  });
});
