import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomSecret } from '@tessera/runtime';
import { createPostgresDatabase, testEngines } from '@tessera/test-kit';
import { ClientStore } from '../../src/ports/client.store';
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

  it("puts back tessera-cli's fixed settings at every start (admin client, client_credentials only, its secret), keeping its name and lifetime", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tessera-cli-restart-'));
    const database = engine === 'postgres' ? await createPostgresDatabase() : undefined;
    const secret = 'an-operator-chosen-secret-of-enough-length';
    const env = { TESSERA_DATA_DIR: dataDir, TESSERA_MASTER_KEY: randomSecret(32), TESSERA_CLI_SECRET: secret, ...(database ? { DATABASE_URL: database.url } : {}) };
    try {
      const first = await startTokenService({ engine, env });
      try {
        const view = (await first.internal('GET', '/internal/clients/tessera-cli')).body;
        expect((await first.internal('PUT', '/internal/clients/tessera-cli', { ...view, client_name: 'Automation', access_token_ttl: 120 })).status).toBe(200);
        // Changed behind the internal API's back (an older version's edits, or the database itself).
        const clients = first.running.app.get(ClientStore);
        const client = await clients.find('tessera-cli');
        if (!client) throw new Error('no tessera-cli');
        await clients.save({
          ...client,
          admin: false,
          grantTypes: ['client_credentials', 'password'],
          tokenEndpointAuthMethod: 'client_secret_post',
          scopes: [...client.scopes, { scope: 'openid', required: false }],
          disabled: true,
        });
      } finally {
        await first.close();
      }

      const second = await startTokenService({ engine, env });
      try {
        expect((await second.internal('GET', '/internal/clients/tessera-cli')).body).toMatchObject({
          client_name: 'Automation',
          access_token_ttl: 120,
          admin: true,
          grant_types: ['client_credentials'],
          token_endpoint_auth_method: 'client_secret_basic',
          allowed_scopes: [
            { scope: 'admin:read', required: false },
            { scope: 'admin:write', required: false },
          ],
          default_audience: [`${second.issuer}/admin/api`],
          disabled: false,
          built_in: true,
        });
        const [line] = second.logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => String(l['msg']).includes("put back the tessera-cli client's fixed settings"));
        expect(line).toMatchObject({ level: 30, clientId: 'tessera-cli', enabled: true, previous: { admin: false } });
        expect((line['corrected'] as string[]).sort()).toEqual(['admin', 'allowed_scopes', 'grant_types', 'token_endpoint_auth_method']);
        const { status, body } = await cliToken(second, secret);
        expect(status).toBe(200);
        expect(body['expires_in']).toBe(120);
      } finally {
        await second.close();
      }
    } finally {
      await database?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
