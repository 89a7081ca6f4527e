import { internalCredential, randomSecret } from '@tessera/runtime';
import { startPlatformApp, type PlatformApp } from '../support/platform-app';

const RETIRED = randomSecret(32);

/** The authentication service's internal API takes part in a rotation of TESSERA_INTERNAL_SECRET too (docs/operations.md). */
describe('auth-service internal API during an internal secret rotation', () => {
  let app: PlatformApp;
  beforeAll(async () => {
    app = await startPlatformApp({ env: { TESSERA_INTERNAL_SECRETS_RETIRED: RETIRED } });
  });
  afterAll(() => app?.close());

  const readUser = (sub: string, credential: string) =>
    fetch(`${app.internalUrl}/internal/users/${encodeURIComponent(sub)}`, { headers: { authorization: `Bearer ${credential}` } });

  it('answers a caller still on the retired secret, as one on the current secret', async () => {
    const { sub } = await app.user();

    const current = await app.internal('GET', `/internal/users/${sub}`);
    const retired = await readUser(sub, internalCredential(RETIRED, 'operator'));
    expect(current.status).toBe(200);
    expect(retired.status).toBe(200);
    expect(await retired.json()).toEqual(current.body);
  });

  it('refuses a secret that is neither current nor retired', async () => {
    const { sub } = await app.user();

    expect((await readUser(sub, internalCredential(randomSecret(32), 'operator'))).status).toBe(401);
  });
});
