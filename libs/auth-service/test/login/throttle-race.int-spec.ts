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

/** The production hasher, whose next verify waits until the test opens the gate. */
class GatedHasher extends PasswordHasher {
  private gate: Promise<void> | undefined;
  private open: (() => void) | undefined;
  reached: Promise<void> | undefined;
  private arrived: (() => void) | undefined;
  constructor() {
    super(ARGON2_PARAMS);
  }
  closeGate() {
    this.gate = new Promise((resolve) => (this.open = resolve));
    this.reached = new Promise((resolve) => (this.arrived = resolve));
  }
  openGate() {
    this.open?.();
    this.gate = undefined;
  }
  override async verify(phc: string, password: string) {
    const gate = this.gate;
    this.arrived?.();
    if (gate) await gate;
    return super.verify(phc, password);
  }
}

describe.each(testEngines())('a sign-in while another to the same account is being checked (%s)', (engine) => {
  let app: PlatformApp;
  let clientId: string;
  const hasher = new GatedHasher();

  beforeAll(async () => {
    app = await startPlatformApp({ engine, passwordHasher: hasher });
    clientId = (await app.client()).client_id;
  });
  afterAll(() => app.close());

  it('waits its turn with 429 and says why (no attempt failed), then signs in', async () => {
    const user = await app.user();
    const first = new Portal(app, app.browser());
    const second = new Portal(app, app.browser());
    const [firstLogin, secondLogin] = [await first.authorize(clientId), await second.authorize(clientId)];
    await Promise.all([first.csrf(), second.csrf()]);

    hasher.closeGate();
    const firstAnswer = first.loginWithPassword(firstLogin, user.email, user.password);
    await hasher.reached;
    const waiting = await second.loginWithPassword(secondLogin, user.email, user.password);
    hasher.openGate();

    expect(waiting.status).toBe(429);
    expect(waiting.body).toMatchObject({ error: 'too_many_attempts', error_description: expect.stringMatching(/^Another sign-in to this account is in progress\. Try again in \d+ seconds\.$/) });
    expect((await firstAnswer).body.redirect_to).toEqual(expect.any(String));
    // The first check is over: the account's slot is free again, and nothing was counted against it.
    expect((await second.loginWithPassword(secondLogin, user.email, user.password)).body.redirect_to).toEqual(expect.any(String));
  });
});
