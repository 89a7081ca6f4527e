import { INTERNAL_CALLERS, internalCredential } from './internal-credentials';

const SECRET = 'an-internal-secret-of-at-least-32-characters';

describe('internalCredential', () => {
  it('is deterministic: every service derives the same credential for a caller from the shared secret', () => {
    for (const caller of INTERNAL_CALLERS) {
      expect(internalCredential(SECRET, caller)).toBe(internalCredential(SECRET, caller));
    }
  });

  it('differs per caller, so one service cannot present itself as another', () => {
    const credentials = INTERNAL_CALLERS.map((caller) => internalCredential(SECRET, caller));
    const macs = credentials.map((c) => c.slice(c.indexOf('.') + 1));

    expect(new Set(credentials).size).toBe(INTERNAL_CALLERS.length);
    expect(new Set(macs).size).toBe(INTERNAL_CALLERS.length);
  });

  it('differs per secret, so a credential from one deployment is worthless in another', () => {
    for (const caller of INTERNAL_CALLERS) {
      expect(internalCredential(SECRET, caller)).not.toBe(internalCredential(`${SECRET}-other`, caller));
    }
  });

  it('names the caller before a base64url HMAC-SHA256 that does not contain the secret', () => {
    const credential = internalCredential(SECRET, 'admin-api');

    expect(credential).toMatch(/^admin-api\.[A-Za-z0-9_-]{43}$/);
    expect(credential).not.toContain(SECRET);
  });

  it('cannot be forged by swapping the caller name in front of another caller\'s MAC', () => {
    const auth = internalCredential(SECRET, 'auth-service');
    const forged = `operator.${auth.slice('auth-service.'.length)}`;

    expect(forged).not.toBe(internalCredential(SECRET, 'operator'));
  });
});
