import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { UnrecoverableEventError, type EventOf, type RetryPolicy } from '@tessera/events';
import { LOGGER, OutboundHttpError, type OutboundHttpClient } from '@tessera/runtime';
import type { Client } from '../clients/client';
import { ClientsService } from '../clients/clients.service';
import { CLOCK, epochSeconds, type Clock } from '../clock';
import { TOKEN_SERVICE_CONFIG, type TokenServiceConfig } from '../config/token-service-config';
import { SigningKeysService } from '../keys/signing-keys.service';
import { SubjectsService } from '../oidc/subjects.service';
import {
  BackchannelDeliveryStore,
  type BackchannelDelivery,
  type BackchannelDeliveryStatus,
} from '../ports/backchannel-delivery.store';
import { UnitOfWork } from '../ports/unit-of-work';
import { OUTBOUND_HTTP } from '../token-service.tokens';
import { buildLogoutTokenClaims, issueLogoutToken } from './logout-token';

export type BackchannelLogoutRequest = EventOf<'logout.backchannel.requested'>;

/**
 * The retry policy of `logout.backchannel.requested` on the token service's queue: the queue
 * retries a failed delivery with exponential backoff, then dead-letters it.
 */
export const backchannelRetryPolicy = (settings: Pick<TokenServiceConfig['backchannel'], 'attempts' | 'retryMs'>): RetryPolicy => ({
  attempts: settings.attempts,
  backoffMs: settings.retryMs,
});

/** A delivery attempt that failed; `permanent` when retrying cannot help (the URI is refused). */
class DeliveryFailure {
  constructor(
    readonly message: string,
    readonly permanent = false,
  ) {}
}

/** Outbound refusals that no retry can change: the registered URI itself is not allowed. */
const PERMANENT_REFUSALS = new Set(['bad_url', 'bad_scheme', 'blocked_address']);
const MAX_ERROR_LENGTH = 1000;

/**
 * OpenID Connect Back-Channel Logout 1.0: one logout token POSTed to one client's
 * `backchannel_logout_uri`, through the outbound HTTP client (https, no private addresses, no
 * redirects, a deadline). Each call is one attempt, recorded in `backchannel_deliveries`
 * (delivered, retrying, or failed after the last attempt); a failed attempt throws, so that the
 * queue retries it with backoff. Idempotent: an event already delivered is not delivered again,
 * nor a second notice of the same session's end to the same client.
 *
 * The logout token never reaches the log, the table or an error message.
 */
@Injectable()
export class BackchannelLogoutService {
  constructor(
    private readonly deliveries: BackchannelDeliveryStore,
    private readonly clients: ClientsService,
    private readonly keys: SigningKeysService,
    private readonly subjects: SubjectsService,
    private readonly uow: UnitOfWork,
    @Inject(OUTBOUND_HTTP) private readonly http: OutboundHttpClient,
    @Inject(TOKEN_SERVICE_CONFIG) private readonly config: TokenServiceConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * One delivery attempt for the event `eventId`. Resolves when the client answered 200 (or
   * 204), or when there is nothing to deliver; throws after recording a failed attempt
   * (`UnrecoverableEventError` when retrying cannot help).
   */
  async deliver(eventId: string, request: BackchannelLogoutRequest): Promise<void> {
    const log = { eventId, clientId: request.clientId };
    const previous = await this.deliveries.find(eventId);
    if (previous?.status === 'delivered') {
      this.logger.debug(log, 'back-channel logout already delivered');
      return;
    }
    if (request.sid !== undefined && (await this.deliveries.findDelivered(request.clientId, request.sid))) {
      this.logger.debug(log, 'back-channel logout of this session already delivered to this client');
      return;
    }
    const attempts = (previous?.attempts ?? 0) + 1;
    const record = (status: BackchannelDeliveryStatus, lastError?: string, counted = attempts) =>
      this.record({ ...request, eventId, status, attempts: counted, lastError, createdAt: previous?.createdAt });

    const client = await this.clients.find(request.clientId);
    const refusal = !client
      ? 'the client no longer exists'
      : !client.backchannelLogoutUri
        ? 'the client has no backchannel_logout_uri'
        : client.backchannelLogoutSessionRequired && request.sid === undefined
          ? 'the client requires sid (backchannel_logout_session_required) and this logout names no session'
          : undefined;
    if (!client?.backchannelLogoutUri || refusal) {
      // Nothing a retry could deliver: recorded as failed, and the event is done.
      await record('failed', refusal, previous?.attempts ?? 0);
      this.logger.warn({ ...log, reason: refusal }, 'back-channel logout not delivered');
      return;
    }

    const failure = await this.post(client, client.backchannelLogoutUri, request);
    if (!failure) {
      await record('delivered');
      this.logger.info({ ...log, attempts }, 'back-channel logout delivered');
      return;
    }
    const last = failure.permanent || attempts >= this.config.backchannel.attempts;
    await record(last ? 'failed' : 'retrying', failure.message);
    this.logger.warn({ ...log, attempts, reason: failure.message }, last ? 'back-channel logout failed' : 'back-channel logout failed; will retry');
    throw failure.permanent ? new UnrecoverableEventError(failure.message) : new Error(failure.message);
  }

  /** Signs a fresh logout token and POSTs it; undefined on success, else why it failed. */
  private async post(client: Client, uri: string, request: BackchannelLogoutRequest): Promise<DeliveryFailure | undefined> {
    const token = await this.logoutToken(client, request);
    const target = safeUrl(uri);
    const timeoutMs = this.config.backchannel.timeoutMs;
    try {
      const response = await this.http.post(uri, new URLSearchParams({ logout_token: token }).toString(), {
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        // Logout responses are tiny (§2.8: an empty 200, or an OAuth error object).
        maxBodyBytes: 16 * 1024,
        signal: AbortSignal.timeout(timeoutMs),
      });
      // §2.8: 200 on success; some frameworks answer 204 instead.
      if (response.status === 200 || response.status === 204) return undefined;
      return new DeliveryFailure(`${target} answered ${response.status}${errorCodeOf(response.body)}`);
    } catch (err) {
      if (err instanceof OutboundHttpError) return new DeliveryFailure(err.message, PERMANENT_REFUSALS.has(err.reason));
      if ((err as { name?: unknown } | undefined)?.name === 'TimeoutError') return new DeliveryFailure(`${target} did not answer within ${timeoutMs} ms`);
      return new DeliveryFailure(`${target} could not be reached: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /**
   * §2.4: signed like the client's ID tokens, about the subject and the session the client
   * knows (pairwise for a pairwise client), with a fresh jti per attempt.
   */
  private async logoutToken(client: Client, request: BackchannelLogoutRequest): Promise<string> {
    const signer = await this.keys.signer(client.idTokenSignedResponseAlg);
    return issueLogoutToken(
      signer,
      buildLogoutTokenClaims({
        issuer: this.config.issuer,
        audience: client.clientId,
        sub: this.subjects.forClient(client, request.sub),
        sid: request.sid === undefined ? undefined : this.subjects.sessionIdForClient(client, request.sid),
        issuedAt: epochSeconds(this.clock),
      }),
    );
  }

  private async record(
    attempt: Omit<BackchannelDelivery, 'createdAt' | 'updatedAt' | 'lastError'> & { lastError?: string; createdAt?: number },
  ): Promise<void> {
    const now = epochSeconds(this.clock);
    const delivery: BackchannelDelivery = {
      eventId: attempt.eventId,
      clientId: attempt.clientId,
      sub: attempt.sub,
      sid: attempt.sid,
      status: attempt.status,
      attempts: attempt.attempts,
      lastError: attempt.lastError?.slice(0, MAX_ERROR_LENGTH),
      createdAt: attempt.createdAt ?? now,
      updatedAt: now,
    };
    // Its own short transaction: on SQLite, a write outside one could join another request's.
    await this.uow.run((tx) => this.deliveries.save(delivery, tx));
  }
}

/** The URI as it may be shown: no query string (it may carry a client's secret), no credentials. */
function safeUrl(uri: string): string {
  const url = new URL(uri);
  return `${url.protocol}//${url.host}${url.pathname}`;
}

/** The OAuth `error` code of an error answer (§2.8), when it is one; never the rest of the body. */
function errorCodeOf(body: Buffer): string {
  try {
    const error = (JSON.parse(body.toString('utf8')) as { error?: unknown }).error;
    return typeof error === 'string' && /^[\w.-]{1,64}$/.test(error) ? ` (${error})` : '';
  } catch {
    return '';
  }
}
