import { statSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { testEngines } from '@tessera/test-kit';
import { startTokenService, type TestApp } from '../support/token-service-app';

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

async function cliToken(app: TestApp, secret: string) {
  const res = await app.form('/oauth2/token', { grant_type: 'client_credentials', scope: 'admin:read admin:write' }, { authorization: basic('tessera-cli', secret) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** At start the token service registers the admin API as a resource server and the tessera-cli admin client. */
describe.each(testEngines())('administration bootstrap (%s)', (engine) => {
  it('creates tessera-cli with the secret TESSERA_CLI_SECRET gives, for admin-scoped tokens addressed to the admin API', async () => {
    const secret = 'an-operator-chosen-secret-of-enough-length';
    const app = await startTokenService({ engine, env: { TESSERA_CLI_SECRET: secret } });
    try {
      const { status, body } = await cliToken(app, secret);
      expect(status).toBe(200);
      expect(body).toMatchObject({ scope: 'admin:read admin:write', expires_in: 300 });
      expect(body['refresh_token']).toBeUndefined();
      const introspected = await app.form('/oauth2/introspect', { token: body['access_token'] as string }, { authorization: basic('tessera-cli', secret) });
      expect(await introspected.json()).toMatchObject({ active: true, aud: `${app.issuer}/admin/api` });
      expect((await cliToken(app, `${secret}x`)).status).toBe(401);

      const rs = (await app.internal('GET', '/internal/resource-servers')).body as unknown as Array<Record<string, unknown>>;
      expect(rs.filter((r) => r['identifier'] === `${app.issuer}/admin/api`)).toEqual([expect.objectContaining({ scopes: ['admin:read', 'admin:write'] })]);
      expect((await app.internal('GET', '/internal/clients/tessera-cli')).body).toMatchObject({ admin: true, grant_types: ['client_credentials'] });
    } finally {
      await app.close();
    }
  });

  it('without TESSERA_CLI_SECRET, generates one into cli.secret (0600) in the data directory, and never logs it', async () => {
    const app = await startTokenService({ engine });
    try {
      const path = join(app.dataDir, 'cli.secret');
      expect(statSync(path).mode & 0o777).toBe(0o600);
      const secret = readFileSync(path, 'utf8').trim();
      expect(secret.length).toBeGreaterThanOrEqual(40);
      expect((await cliToken(app, secret)).status).toBe(200);
      expect(app.logs.join('\n')).not.toContain(secret);
      expect(app.logs.join('\n')).toContain(path);
    } finally {
      await app.close();
    }
  });
});
