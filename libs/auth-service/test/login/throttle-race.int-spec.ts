import { testEngines } from '@tessera/test-kit';
import { ARGON2_PARAMS, PasswordHasher } from '../../src';
import { ACCOUNT_POLICY } from '../../src/throttle/database-login-throttle';
import { startPlatformApp, type PlatformApp } from '../support/platform-app';
import { Portal } from '../support/portal';

/** The production argon2id cost (OWASP), counting verifies: each one is a password guess the throttle let through. */
class CountingHasher extends PasswordHasher {
  verifies = 0;
  constructor() {
    super(ARGON2_PARAMS);
  }
  override verify(phc: string, password: string) {
    this.verifies++;
    return super.verify(phc, password);
  }
}

/**
 * Parallel guesses: one password check at a time per account (an atomic claim), so requests sent
 * at the same moment cannot all pass the throttle before any of them is counted.
 */
describe.each(testEngines())('password throttle under concurrent guesses (%s)', (engine) => {
  let app: PlatformApp;
  let clientId: string;
  const now = Date.now(); // the clock stands still: no delay ever elapses during the test
  const hasher = new CountingHasher();

  beforeAll(async () => {
    app = await startPlatformApp({ engine, clock: () => now, passwordHasher: hasher });
    clientId = (await app.client()).client_id;
  });
  afterAll(() => app.close());

  it('lets no more password guesses through at once than it lets through one after the other', async () => {
    const user = await app.user();
    const portal = new Portal(app, app.browser());
    const loginUrl = await portal.authorize(clientId);
    await portal.csrf();

    const before = hasher.verifies;
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => portal.loginWithPassword(loginUrl, user.email, `guess number ${i}`)));
    const guessed = hasher.verifies - before;
    const statuses = answers.map((a) => a.status);

    // One after the other, with a clock that stands still, only the free failures are ever
    // verified (the next attempt must wait); and ten failures lock the account.
    expect(guessed).toBeGreaterThanOrEqual(1);
    expect(guessed).toBeLessThanOrEqual(ACCOUNT_POLICY.freeFailures);
    expect(statuses.filter((s) => s === 429)).toHaveLength(40 - guessed);
  });
});
