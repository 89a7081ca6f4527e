import { timingSafeEqual } from 'node:crypto';
import { SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { InvalidTokenError, NotFoundError } from '@tessera/oauth-errors';
import { cameThroughInternalListener } from './http-app';
import { INTERNAL_CALLERS, internalCredential, type InternalCaller } from './internal-credentials';

const CALLERS = 'tessera:internal-callers';
/** Names the services allowed to call an internal controller or route. */
export const InternalCallers = (...callers: InternalCaller[]) => SetMetadata(CALLERS, callers);

/**
 * Internal APIs answer only on the internal listener and only to a caller they name, each
 * authenticated with its own derived credential. Each service subclasses this with its own
 * injected secret (services never import each other).
 *
 * Credentials derived from a retired secret (`TESSERA_INTERNAL_SECRETS_RETIRED`) are accepted too,
 * so the secret can be rotated one replica at a time: every replica first learns the new secret
 * as an accepted one, then sends with it (docs/operations.md).
 */
export abstract class InternalApiGuardBase implements CanActivate {
  /** Each caller's accepted credentials (the current secret's first), derived once rather than by an HMAC per request. */
  private readonly credentials: ReadonlyMap<string, readonly Buffer[]>;

  protected constructor(
    private readonly reflector: Reflector,
    secret: string,
    retiredSecrets: readonly string[] = [],
  ) {
    const secrets = [...new Set([secret, ...retiredSecrets])];
    this.credentials = new Map(INTERNAL_CALLERS.map((caller) => [caller, secrets.map((s) => Buffer.from(internalCredential(s, caller)))]));
  }

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<FastifyRequest>();
    if (!cameThroughInternalListener(req.raw)) throw new NotFoundError('No such endpoint.');
    const callers = this.reflector.getAllAndOverride<InternalCaller[]>(CALLERS, [context.getHandler(), context.getClass()]) ?? [];
    const header = req.headers.authorization ?? '';
    const presented = header.startsWith('Bearer ') ? header.slice(7) : '';
    const caller = presented.split('.', 1)[0] as InternalCaller;
    const accepted = this.credentials.get(caller);
    if (!callers.includes(caller) || accepted === undefined || !matchesOne(Buffer.from(presented), accepted)) {
      const err = new InvalidTokenError('A valid internal credential of a caller allowed here is required.');
      // RFC 6750 §3 (and RFC 9110 §15.5.2): a 401 carries a challenge; no error code when no credential was sent (§3.1).
      (err as InvalidTokenError & { wwwAuthenticate?: string }).wwwAuthenticate = presented
        ? 'Bearer realm="tessera-internal", error="invalid_token"'
        : 'Bearer realm="tessera-internal"';
      throw err;
    }
    (req as FastifyRequest & { internalCaller?: InternalCaller }).internalCaller = caller;
    return true;
  }
}

/** Compares with every accepted credential (no early exit), each in constant time. */
function matchesOne(given: Buffer, accepted: readonly Buffer[]): boolean {
  let match = false;
  for (const expected of accepted) {
    if (given.length === expected.length && timingSafeEqual(given, expected)) match = true;
  }
  return match;
}
