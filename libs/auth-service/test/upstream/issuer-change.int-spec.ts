import { randomBytes } from 'node:crypto';
import { locationOf, testEngines } from '@tessera/test-kit';
import type { DataSource } from 'typeorm';
import { inTransaction } from '@tessera/events';
import { AUTH_SERVICE_DATA_SOURCE } from '../../src/auth-service.tokens';
import { UpstreamLinksService } from '../../src/upstream/upstream-links.service';
import { ISSUER, startPlatformApp, type PlatformApp } from '../support/platform-app';
import { claimsOf, Portal } from '../support/portal';
import { atUpstream, startUpstreamProvider, type UpstreamAccount, type UpstreamProvider } from './support/upstream-provider';

const CLIENT_SECRET = `upstream-secret-${randomBytes(12).toString('base64url')}`;

/**
 * Upstream links and a change of the provider's issuer (found in review): an upstream `sub` is
 * unique only within its issuer (OIDC Core §2, §5.7: "the sub and iss Claims ... are the only
 * Claims that a client can rely upon as a stable identifier"). Links are keyed by (idp id,
 * upstream sub), and `PATCH /internal/upstream-idps/{id}` could change `issuer` while keeping
 * every link: after an administrator repointed a provider (another tenant, a migration),
 * whoever held the same `sub` at the new issuer signed in as the user linked at the old one.
 * Now the issuer cannot change while accounts are linked (409: delete and create the provider
 * again), and a link is made only while the issuer that asserted its `sub` is the provider's.
 */
describe.each(testEngines())('upstream links and a change of the provider issuer (%s)', (engine) => {
  let app: PlatformApp;
  let oldIssuer: UpstreamProvider;
  let newIssuer: UpstreamProvider;
  let data: DataSource;
  let clientId: string;

  const registration = {
    client_id: 'tessera',
    client_secret: CLIENT_SECRET,
    redirect_uris: [`${ISSUER}/auth/upstream/corp/callback`, `${ISSUER}/auth/upstream/spare/callback`],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  };

  beforeAll(async () => {
    [oldIssuer, newIssuer] = await Promise.all([startUpstreamProvider([registration]), startUpstreamProvider([registration])]);
    app = await startPlatformApp({ engine, env: { TESSERA_UPSTREAM_ALLOW_PRIVATE: 'true' } });
    data = app.running.app.get<DataSource>(AUTH_SERVICE_DATA_SOURCE);
    expect((await app.internal('POST', '/internal/upstream-idps', { id: 'corp', display_name: 'Corp', issuer: oldIssuer.issuer, client_id: 'tessera', client_secret: CLIENT_SECRET })).status).toBe(201);
    ({ client_id: clientId } = await app.client());
  });
  afterAll(async () => {
    await app?.close();
    await oldIssuer?.close();
    await newIssuer?.close();
  });

  /** A new browser's way to Tessera's callback through provider `idp`, as `account`. */
  async function toCallback(account: UpstreamAccount, idp = 'corp') {
    const portal = new Portal(app, app.browser());
    const challenge = Portal.challengeOf(await portal.authorize(clientId), 'login');
    const start = await portal.browser.get(`${ISSUER}/auth/upstream/${idp}/start?login_challenge=${encodeURIComponent(challenge)}`);
    return { portal, callbackUrl: await atUpstream(portal.browser, locationOf(start), account) };
  }

  async function signInWithCorp(account: UpstreamAccount, idp = 'corp'): Promise<string | undefined> {
    const { portal, callbackUrl } = await toCallback(account, idp);
    const next = locationOf(await portal.browser.get(callbackUrl));
    if (!next.includes('/oauth2/')) return undefined;
    const code = (await portal.toCallback(next)).searchParams.get('code') as string;
    return claimsOf((await portal.redeem(clientId, code))['id_token'] as string)['sub'] as string;
  }

  const linkCount = async (idpId: string) =>
    ((await data.query(`SELECT "id" FROM "upstream_links" WHERE "idp_id" = ${engine === 'postgres' ? '$1' : '?'}`, [idpId])) as unknown[]).length;

  it('does not sign a subject of the new issuer in as the user linked to the same sub at the old one', async () => {
    const victim = await signInWithCorp({ sub: 'employee-17', email: 'victim@old-tenant.example', email_verified: true });
    expect(victim).toBeDefined();

    // Repointing a provider with links is refused, and says how to move.
    const refused = await app.internal('PATCH', '/internal/upstream-idps/corp', { issuer: newIssuer.issuer });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ error: 'conflict' });
    expect(refused.body['error_description']).toMatch(/cannot change while 1 account is linked.*delete this provider.*create it again/);
    expect((await app.internal('GET', '/internal/upstream-idps/corp')).body).toMatchObject({ issuer: oldIssuer.issuer });
    // Nothing else in a refused change is applied either.
    expect((await app.internal('PATCH', '/internal/upstream-idps/corp', { issuer: newIssuer.issuer, display_name: 'Renamed' })).status).toBe(409);
    expect((await app.internal('GET', '/internal/upstream-idps/corp')).body).toMatchObject({ display_name: 'Corp' });
    // The same issuer again is no change, and other fields still change.
    expect((await app.internal('PATCH', '/internal/upstream-idps/corp', { issuer: oldIssuer.issuer, display_name: 'Corp' })).status).toBe(200);
    expect(await signInWithCorp({ sub: 'employee-17' })).toBe(victim);

    // Moving the way the refusal says: delete and create again; the same sub at the new issuer is someone else.
    expect((await app.internal('DELETE', '/internal/upstream-idps/corp')).status).toBe(204);
    expect((await app.internal('POST', '/internal/upstream-idps', { id: 'corp', display_name: 'Corp', issuer: newIssuer.issuer, client_id: 'tessera', client_secret: CLIENT_SECRET })).status).toBe(201);
    const stranger = await signInWithCorp({ sub: 'employee-17', email: 'someone-else@new-tenant.example', email_verified: true });
    expect(stranger).toBeDefined();
    expect(stranger).not.toBe(victim);
  });

  it('changes the issuer of a provider nothing is linked through, and drops what was begun at the old one', async () => {
    expect((await app.internal('POST', '/internal/upstream-idps', { id: 'spare', display_name: 'Spare', issuer: oldIssuer.issuer, client_id: 'tessera', client_secret: CLIENT_SECRET, trust_email_verified: true })).status).toBe(201);
    // A pending link (the upstream account has a local account's verified address) and a sign-in under way, both at the old issuer.
    const local = await app.user();
    const pending = await toCallback({ sub: 'employee-23', email: local.email, email_verified: true }, 'spare');
    expect(locationOf(await pending.portal.browser.get(pending.callbackUrl))).toContain('link=required');
    expect((await pending.portal.get('/auth/upstream/link')).status).toBe(200);
    const underWay = await toCallback({ sub: 'employee-42' }, 'spare');

    expect((await app.internal('PATCH', '/internal/upstream-idps/spare', { issuer: newIssuer.issuer })).status).toBe(200);
    expect((await pending.portal.get('/auth/upstream/link')).status).toBe(404);
    expect(await pending.portal.loginWithPassword(await pending.portal.authorize(clientId), local.email, local.password)).toMatchObject({ status: 200 });
    expect((await pending.portal.post('/auth/upstream/link/confirm', {})).body).toMatchObject({ error: 'not_found' });
    expect((await underWay.portal.browser.get(underWay.callbackUrl)).status).toBe(400);
    expect(await linkCount('spare')).toBe(0);

    // The new issuer's people sign in.
    expect(await signInWithCorp({ sub: 'employee-42' }, 'spare')).toBeDefined();
    expect(await linkCount('spare')).toBe(1);
  });

  it('never keeps a link of the old issuer under the new one when a sign-in and the change race', async () => {
    const links = app.running.app.get(UpstreamLinksService, { strict: false });
    for (let i = 0; i < 6; i++) {
      const id = `race-${i}`;
      expect((await app.internal('POST', '/internal/upstream-idps', { id, display_name: 'Race', issuer: oldIssuer.issuer, client_id: 'tessera', client_secret: CLIENT_SECRET })).status).toBe(201);
      const user = await app.user();
      // A sign-in whose sub the old issuer asserted, linked while an admin repoints the provider.
      const [linked, changed] = await Promise.allSettled([
        inTransaction(data, (manager) => links.insert(manager, { idp: { id, displayName: 'Race' }, issuer: oldIssuer.issuer, upstreamSub: `employee-${i}`, sub: user.sub, email: null })),
        app.internal('PATCH', `/internal/upstream-idps/${id}`, { issuer: newIssuer.issuer }),
      ]);
      const patch = changed.status === 'fulfilled' ? changed.value : undefined;
      const issuer = (await app.internal('GET', `/internal/upstream-idps/${id}`)).body['issuer'];
      if (linked.status === 'fulfilled') {
        expect(patch?.status).toBe(409);
        expect(issuer).toBe(oldIssuer.issuer);
        expect(await linkCount(id)).toBe(1);
      } else {
        expect(linked.reason).toMatchObject({ code: 'conflict' });
        expect(patch?.status).toBe(200);
        expect(issuer).toBe(newIssuer.issuer);
        expect(await linkCount(id)).toBe(0);
      }
    }
  });
});
