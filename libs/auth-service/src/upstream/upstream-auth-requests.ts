import { Inject, Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import * as oidc from 'openid-client';
import { DataSource, LessThan, type EntityManager } from 'typeorm';
import { MasterKeyring } from '@tessera/runtime';
import { AUTH_CLOCK, AUTH_SERVICE_DATA_SOURCE, nowSeconds, type Clock } from '../auth-service.tokens';
import { AUTH_SERVICE_CONFIG, type AuthServiceConfig } from '../config/auth-service-config';
import { FlowError } from '../http/flow-error';
import { BINDING_COOKIE, cookieValue, ensureBinding, hashOf, matchesHash } from './browser-binding';
import { UpstreamAuthRequestEntity, type UpstreamPurpose } from './entities/upstream-auth-request.entity';
import type { UpstreamChecks } from './upstream-oidc-client';

/** How long the person has at the provider (seconds). */
export const AUTH_REQUEST_TTL = 600;

export interface NewAuthRequest {
  idpId: string;
  purpose: UpstreamPurpose;
  /** The login challenge the sign-in answers (purpose `login`). */
  loginChallenge?: string;
  /** The account to link to (purpose `link`). */
  sub?: string;
}

export interface AuthRequest extends NewAuthRequest {
  checks: UpstreamChecks;
  /** When the request was sent upstream (epoch seconds). */
  createdAt: number;
}

interface Sealed {
  nonce: string;
  codeVerifier: string;
  loginChallenge?: string;
  maxAge?: number;
}

const sealContext = (stateHash: string) => `upstream_auth_requests.secrets:${stateHash}`;

/**
 * The authorization requests sent upstream and waiting for their callback: state, nonce and
 * PKCE verifier are fresh per request, kept server-side (never in a cookie or URL of ours),
 * bound to the browser, single-use and short-lived.
 */
@Injectable()
export class UpstreamAuthRequests {
  constructor(
    @Inject(AUTH_SERVICE_DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(AUTH_CLOCK) private readonly clock: Clock,
    @Inject(AUTH_SERVICE_CONFIG) private readonly config: AuthServiceConfig,
    private readonly keyring: MasterKeyring,
  ) {}

  /** Fresh values for one request (256 random bits each), and the client's `maxAge` demand if any. */
  newChecks(maxAge?: number): UpstreamChecks {
    return { state: oidc.randomState(), nonce: oidc.randomNonce(), codeVerifier: oidc.randomPKCECodeVerifier(), ...(maxAge === undefined ? {} : { maxAge }) };
  }

  /** Records a request bound to this browser (setting its binding cookie). */
  async create(req: FastifyRequest, reply: FastifyReply, input: NewAuthRequest, checks: UpstreamChecks): Promise<void> {
    const now = nowSeconds(this.clock);
    const binding = ensureBinding(req, reply, this.config.secureCookies, AUTH_REQUEST_TTL);
    const stateHash = hashOf(checks.state);
    const sealed: Sealed = { nonce: checks.nonce, codeVerifier: checks.codeVerifier, loginChallenge: input.loginChallenge, maxAge: checks.maxAge };
    // Housekeeping on the way: requests nobody came back for.
    await this.dataSource.manager.delete(UpstreamAuthRequestEntity, { expiresAt: LessThan(now) });
    await this.dataSource.manager.insert(UpstreamAuthRequestEntity, {
      stateHash,
      bindingHash: hashOf(binding),
      idpId: input.idpId,
      purpose: input.purpose,
      sub: input.sub ?? null,
      secretsEncrypted: await this.keyring.encrypt(JSON.stringify(sealed), sealContext(stateHash)),
      createdAt: now,
      expiresAt: now + AUTH_REQUEST_TTL,
    });
  }

  /**
   * The request a callback answers, removed so that it can be answered once. Refused when the
   * state is unknown, expired, used, meant for another provider's callback, or when this
   * browser is not the one that started it (then the request is kept for its own browser).
   */
  async consume(req: FastifyRequest, idpId: string, state: unknown): Promise<AuthRequest> {
    if (typeof state !== 'string' || !state || state.length > 512) {
      throw new FlowError('invalid_request', 'The answer from the identity provider has no valid state; start the sign-in again.');
    }
    const stateHash = hashOf(state);
    const row = await this.dataSource.manager.findOneBy(UpstreamAuthRequestEntity, { stateHash });
    if (!row || row.idpId !== idpId || row.expiresAt <= nowSeconds(this.clock)) throw unknownAttempt();
    if (!matchesHash(cookieValue(req, BINDING_COOKIE), row.bindingHash)) {
      throw new FlowError('forbidden', 'This sign-in was started in another browser; start it again here.', {}, `upstream callback for ${idpId} without the binding cookie`);
    }
    // Single use, even under concurrent replays: only the request that deletes the row goes on.
    const deleted = await this.dataSource.manager.delete(UpstreamAuthRequestEntity, { stateHash });
    if (!deleted.affected) throw unknownAttempt();
    const sealed = JSON.parse(await this.keyring.decrypt(row.secretsEncrypted, sealContext(stateHash))) as Sealed;
    return {
      idpId: row.idpId,
      purpose: row.purpose,
      sub: row.sub ?? undefined,
      loginChallenge: sealed.loginChallenge,
      checks: { state, nonce: sealed.nonce, codeVerifier: sealed.codeVerifier, ...(sealed.maxAge === undefined ? {} : { maxAge: sealed.maxAge }) },
      createdAt: row.createdAt,
    };
  }

  /** A deleted user's requests to link go with them. */
  async deleteOf(manager: EntityManager, sub: string): Promise<void> {
    await manager.delete(UpstreamAuthRequestEntity, { sub });
  }
}

const unknownAttempt = () => new FlowError('invalid_request', 'This sign-in attempt is unknown, expired or was completed already; start the sign-in again.');
