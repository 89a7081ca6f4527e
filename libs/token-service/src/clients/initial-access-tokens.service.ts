import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InvalidRequestError, NotFoundError } from '@tessera/oauth-errors';
import { generateReferenceToken, safeEqual, storageKey } from '@tessera/token-formats';
import { CLOCK, epochSeconds, type Clock } from '../clock';
import { TOKEN_SERVICE_CONFIG, type TokenServiceConfig } from '../config/token-service-config';
import { InitialAccessTokenStore, type InitialAccessToken } from '../ports/initial-access-token.store';
import { splitScope } from './client-metadata';

/** The longest an initial access token may live: a year. */
const MAX_LIFETIME = 365 * 86_400;

/** Whom a registration was authorized by: the bootstrap token, or one an administrator created. */
export type RegistrationAuthority = { kind: 'bootstrap' } | { kind: 'initial_access_token'; token: InitialAccessToken };

/**
 * Initial access tokens (RFC 7591 §3) for dynamic registration when TESSERA_REGISTRATION=token:
 * the bootstrap one (TESSERA_REGISTRATION_TOKEN or the data dir's file), and the ones
 * administrators create through the admin API, each with an expiry and an allow-list of the
 * scopes its clients may register (within TESSERA_REGISTRATION_SCOPES). Stored hashed; the
 * value is in the creation's answer only.
 */
@Injectable()
export class InitialAccessTokensService {
  constructor(
    private readonly store: InitialAccessTokenStore,
    @Inject(TOKEN_SERVICE_CONFIG) private readonly config: TokenServiceConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** `{ description?, expires_in? (seconds), scope? }` → the view and the token (shown this once). */
  async create(input: unknown): Promise<{ token: InitialAccessToken; value: string }> {
    const body = (typeof input === 'object' && input !== null && !Array.isArray(input) ? input : {}) as Record<string, unknown>;
    const unknown = Object.keys(body).filter((k) => !['description', 'expires_in', 'scope'].includes(k));
    if (unknown.length) throw new InvalidRequestError(`Unknown fields: ${unknown.join(', ')}.`);
    const { description, expires_in: expiresIn, scope } = body;
    if (description !== undefined && (typeof description !== 'string' || description.length > 255)) throw new InvalidRequestError('description must be a string of at most 255 characters.');
    if (expiresIn !== undefined && (!Number.isInteger(expiresIn) || (expiresIn as number) < 60 || (expiresIn as number) > MAX_LIFETIME)) {
      throw new InvalidRequestError(`expires_in must be a whole number of seconds from 60 to ${MAX_LIFETIME}.`);
    }
    let scopes: string[] | undefined;
    if (scope !== undefined) {
      if (typeof scope !== 'string') throw new InvalidRequestError('scope must be a space-separated string.');
      scopes = [...new Set(splitScope(scope))];
      const outside = scopes.filter((s) => !this.config.registrationScopes.includes(s));
      if (outside.length) throw new InvalidRequestError(`scope may list only registrable scopes (${this.config.registrationScopes.join(' ')}); not: ${outside.join(' ')}.`);
    }
    const now = epochSeconds(this.clock);
    const generated = generateReferenceToken('initial_access_token');
    const token: InitialAccessToken = {
      id: randomUUID(),
      tokenHash: generated.storageKey,
      ...(description !== undefined ? { description: description as string } : {}),
      ...(scopes ? { scopes } : {}),
      ...(expiresIn !== undefined ? { expiresAt: now + (expiresIn as number) } : {}),
      createdAt: now,
      uses: 0,
    };
    await this.store.insert(token);
    return { token, value: generated.value };
  }

  list() {
    return this.store.list();
  }

  async revoke(id: string): Promise<void> {
    if (!/^[0-9a-f-]{36}$/.test(id) || !(await this.store.revoke(id, epochSeconds(this.clock)))) throw new NotFoundError('No such active initial access token.');
  }

  /** Who a presented token is, if anyone: the bootstrap token, or an active token of ours. */
  async authority(presented: string): Promise<RegistrationAuthority | undefined> {
    if (this.config.registrationToken && safeEqual(presented, this.config.registrationToken)) return { kind: 'bootstrap' };
    if (!presented.startsWith('tsr_iat_') || presented.length > 256) return undefined;
    const token = await this.store.findActive(storageKey(presented), epochSeconds(this.clock));
    return token ? { kind: 'initial_access_token', token } : undefined;
  }

  recordUse(token: InitialAccessToken) {
    return this.store.recordUse(token.id, epochSeconds(this.clock));
  }
}

/** The public view: never the hash. */
export function initialAccessTokenView(t: InitialAccessToken) {
  return {
    id: t.id,
    ...(t.description !== undefined ? { description: t.description } : {}),
    ...(t.scopes ? { scope: t.scopes.join(' ') } : {}),
    ...(t.expiresAt !== undefined ? { expires_at: t.expiresAt } : {}),
    created_at: t.createdAt,
    ...(t.revokedAt !== undefined ? { revoked_at: t.revokedAt } : {}),
    ...(t.lastUsedAt !== undefined ? { last_used_at: t.lastUsedAt } : {}),
    uses: t.uses,
  };
}
