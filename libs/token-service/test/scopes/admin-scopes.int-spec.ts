import { testEngines } from '@tessera/test-kit';
import { Oidc } from '../oidc/support';

const ADMIN_SCOPES = ['openid', 'offline_access', 'admin:read', 'admin:write'];

/**
 * The admin API's scopes go only to users holding the admin role (through a client allowed
 * them, like the portal) and to admin clients acting for themselves; such tokens live at most
 * five minutes and never come with a refresh token.
 */
describe.each(testEngines())('admin scopes (%s)', (engine) => {
  let oidc: Oidc;

  beforeAll(async () => {
    oidc = await Oidc.start(engine);
  });
  afterAll(() => oidc?.close());

  const portalLike = () => oidc.client({ first_party: true, allowed_scopes: ADMIN_SCOPES, access_token_ttl: 3600 });
  const scopeOf = (tokens: Record<string, unknown>) => String(tokens['scope']).split(' ').sort();

  it('leaves admin scopes out of what an ordinary user is granted, and says so in the token response', async () => {
    const client = await portalLike();
    const sub = oidc.newUser();
    const tokens = await oidc.codeFlow(client, { sub }, { scope: 'openid admin:read admin:write' });
    expect(scopeOf(tokens)).toEqual(['openid']);
  });

  it('grants them to an admin, for at most five minutes and without a refresh token', async () => {
    const client = await portalLike();
    const sub = oidc.newUser();
    oidc.users.roles.set(sub, ['admin']);
    const tokens = await oidc.codeFlow(client, { sub }, { scope: 'openid offline_access admin:read admin:write' });
    expect(scopeOf(tokens)).toEqual(['admin:read', 'admin:write', 'offline_access', 'openid']);
    expect(tokens['expires_in']).toBe(300);
    expect(tokens.refresh_token).toBeUndefined();

    // The same client without admin scopes keeps its own lifetime and refresh tokens.
    const plain = await oidc.codeFlow(client, { sub }, { scope: 'openid offline_access' });
    expect(plain['expires_in']).toBe(3600);
    expect(typeof plain.refresh_token).toBe('string');
  });

  it('does not grant them to a user who is no longer an admin (the directory answers no roles for a locked account)', async () => {
    const client = await portalLike();
    const sub = oidc.newUser();
    oidc.users.roles.set(sub, ['admin']);
    expect(scopeOf(await oidc.codeFlow(client, { sub }, { scope: 'openid admin:read' }))).toEqual(['admin:read', 'openid']);
    oidc.users.roles.set(sub, []);
    expect(scopeOf(await oidc.codeFlow(client, { sub }, { scope: 'openid admin:read' }))).toEqual(['openid']);
  });

  it('refuses them to a client acting for itself unless it is an admin client', async () => {
    const ordinary = await oidc.app.client({ grant_types: ['client_credentials'], allowed_scopes: ['admin:read', 'reports:read'] });
    const refused = await oidc.app.form('/oauth2/token', { grant_type: 'client_credentials', scope: 'admin:read' }, { authorization: ordinary.basic });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: 'invalid_scope' });

    const admin = await oidc.app.client({ grant_types: ['client_credentials'], allowed_scopes: ['admin:read', 'admin:write'], admin: true, access_token_ttl: 3600 });
    const granted = await oidc.app.form('/oauth2/token', { grant_type: 'client_credentials', scope: 'admin:read admin:write' }, { authorization: admin.basic });
    const body = (await granted.json()) as Record<string, unknown>;
    expect(granted.status).toBe(200);
    expect(body).toMatchObject({ scope: 'admin:read admin:write', expires_in: 300 });
  });

  it('refuses the account scope to a client acting for itself: it has no account', async () => {
    const client = await oidc.app.client({ grant_types: ['client_credentials'], allowed_scopes: ['account'] });
    const res = await oidc.app.form('/oauth2/token', { grant_type: 'client_credentials', scope: 'account' }, { authorization: client.basic });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_scope' });
  });
});
