import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { InvalidTokenError, NotFoundError } from '@tessera/oauth-errors';
import { INTERNAL_LISTENER } from './http-app';
import { InternalApiGuardBase, InternalCallers } from './internal-api.guard';
import { internalCredential } from './internal-credentials';

const CURRENT = 'the-current-internal-secret-of-32-chars-or-more';
const RETIRED = 'the-retired-internal-secret-of-32-chars-or-more';
const UNKNOWN = 'a-secret-this-deployment-never-had-32-chars-or-more';

class Guard extends InternalApiGuardBase {
  constructor(secret: string, retired?: readonly string[]) {
    super(new Reflector(), secret, retired);
  }
}

class OperatorOnlyController {
  @InternalCallers('operator')
  rotateKeys() {
    return undefined;
  }
}

/** The guard's view of one request: its Authorization header, and which listener it came through. */
function contextOf(authorization: string | undefined, { internal = true } = {}) {
  const raw = internal ? { [INTERNAL_LISTENER]: true } : {};
  const req: { headers: Record<string, string>; raw: object; internalCaller?: string } = {
    headers: authorization === undefined ? {} : { authorization },
    raw,
  };
  const context = {
    switchToHttp: () => ({ getRequest: () => req }),
    getHandler: () => OperatorOnlyController.prototype.rotateKeys,
    getClass: () => OperatorOnlyController,
  } as unknown as ExecutionContext;
  return { context, req };
}

const bearer = (secret: string, caller: Parameters<typeof internalCredential>[1] = 'operator') => `Bearer ${internalCredential(secret, caller)}`;

describe('InternalApiGuardBase', () => {
  it('lets a named caller in with the current secret, and records who called', () => {
    const { context, req } = contextOf(bearer(CURRENT));

    expect(new Guard(CURRENT).canActivate(context)).toBe(true);
    expect(req.internalCaller).toBe('operator');
  });

  it('refuses a retired secret it was not told about: rotation needs the old secret listed', () => {
    expect(() => new Guard(CURRENT).canActivate(contextOf(bearer(RETIRED)).context)).toThrow(InvalidTokenError);
  });

  describe('with a retired secret (a rotation in progress)', () => {
    const guard = new Guard(CURRENT, [RETIRED]);

    it('accepts credentials derived from the current secret and from the retired one', () => {
      expect(guard.canActivate(contextOf(bearer(CURRENT)).context)).toBe(true);
      expect(guard.canActivate(contextOf(bearer(RETIRED)).context)).toBe(true);
    });

    it('still refuses a secret it never had', () => {
      expect(() => guard.canActivate(contextOf(bearer(UNKNOWN)).context)).toThrow(InvalidTokenError);
    });

    it('still binds the credential to its caller: a retired secret does not widen who may call', () => {
      // A genuine auth-service credential (either secret) on an operator-only route.
      expect(() => guard.canActivate(contextOf(bearer(RETIRED, 'auth-service')).context)).toThrow(InvalidTokenError);
      expect(() => guard.canActivate(contextOf(bearer(CURRENT, 'auth-service')).context)).toThrow(InvalidTokenError);
      // The auth-service's MAC under the operator's name.
      const mac = internalCredential(RETIRED, 'auth-service').split('.')[1];
      expect(() => guard.canActivate(contextOf(`Bearer operator.${mac}`).context)).toThrow(InvalidTokenError);
    });

    it('refuses truncated and padded credentials of either secret', () => {
      for (const secret of [CURRENT, RETIRED]) {
        const credential = internalCredential(secret, 'operator');
        expect(() => guard.canActivate(contextOf(`Bearer ${credential.slice(0, -1)}`).context)).toThrow(InvalidTokenError);
        expect(() => guard.canActivate(contextOf(`Bearer ${credential}A`).context)).toThrow(InvalidTokenError);
      }
    });

    it('answers 404 on the public listener, whichever secret the credential comes from', () => {
      expect(() => guard.canActivate(contextOf(bearer(RETIRED), { internal: false }).context)).toThrow(NotFoundError);
      expect(() => guard.canActivate(contextOf(bearer(CURRENT), { internal: false }).context)).toThrow(NotFoundError);
    });
  });

  it('sends a challenge that says why when a credential was presented, and none when not', () => {
    const guard = new Guard(CURRENT, [RETIRED]);
    const challengeOf = (authorization: string | undefined) => {
      try {
        guard.canActivate(contextOf(authorization).context);
      } catch (err) {
        return (err as { wwwAuthenticate?: string }).wwwAuthenticate;
      }
      throw new Error('expected a refusal');
    };

    expect(challengeOf(bearer(UNKNOWN))).toBe('Bearer realm="tessera-internal", error="invalid_token"');
    expect(challengeOf(undefined)).toBe('Bearer realm="tessera-internal"');
  });
});
