import { randomBytes, randomUUID } from 'node:crypto';
import { testEngines } from '@tessera/test-kit';
import { SignInMethods } from '../../src/account/sign-in-methods';
import { UpstreamLinkEntity } from '../../src/upstream/entities';
import { seedPasskey, signInToAccountWithPasskey } from '../passkeys/passkey-portal';
import { SoftAuthenticator } from '../passkeys/soft-authenticator';
import { startPlatformApp, type PlatformApp } from '../support/platform-app';

/**
 * "the last way to sign in can never be removed". Passkey removal checks the count in
 * a transaction that locks the user row (PostgreSQL), but unlinking an upstream account
 * (AccountLinksController.unlink) counts with SignInMethods.assertCanRemove() outside any
 * transaction and without that lock, then deletes. A passkey removal and an unlink sent at
 * once both see "two ways in" and both succeed: the account is left with none.
 */
describe.each(testEngines())('removing the last two sign-in methods at once (%s)', (engine) => {
  let app: PlatformApp;

  beforeAll(async () => {
    app = await startPlatformApp({ engine });
    for (const id of ['corp-a', 'corp-b']) {
      const res = await app.internal('POST', '/internal/upstream-idps', { id, display_name: id, issuer: `https://${id}.example`, client_id: 'tessera', client_secret: 'upstream secret value' });
      expect(res.status).toBe(201);
    }
  });
  afterAll(() => app.close());

  /** A user without a password whose ways in are one passkey and one upstream link, signed in with the passkey. */
  async function passwordlessUser() {
    const email = `pwless-${randomBytes(4).toString('hex')}@example.com`;
    const created = await app.internal('POST', '/internal/users', { email });
    expect(created.status).toBe(201);
    const sub = created.body['sub'] as string;
    const authenticator = new SoftAuthenticator(app.issuer);
    const passkey = await seedPasskey(app, sub, authenticator);
    const now = Math.floor(Date.now() / 1000);
    const link = { id: randomUUID(), idpId: 'corp-a', upstreamSub: `up-${randomBytes(4).toString('hex')}`, sub, email, createdAt: now, lastUsedAt: now };
    await app.authDataSource().manager.insert(UpstreamLinkEntity, link);
    const { account } = await signInToAccountWithPasskey(app, authenticator);
    return { sub, account, passkeyId: passkey.id, linkId: link.id };
  }

  it('never leaves an account without a way to sign in', async () => {
    const methods = app.running.app.get(SignInMethods, { strict: false });
    const left: number[] = [];
    for (let i = 0; i < 5; i++) {
      const { sub, account, passkeyId, linkId } = await passwordlessUser();
      expect(await methods.count(sub)).toBe(2);
      await Promise.all([account('DELETE', `/passkeys/${passkeyId}`, {}), account('DELETE', `/links/${linkId}`, {})]);
      left.push(await methods.count(sub));
    }
    // Exactly one of the two removals may succeed each time.
    expect(left).toEqual([1, 1, 1, 1, 1]);
  });
});
