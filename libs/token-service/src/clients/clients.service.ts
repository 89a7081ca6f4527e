import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { Logger } from 'pino';
import { Broadcaster, Outbox } from '@tessera/events';
import { InvalidClientMetadataError, NotFoundError } from '@tessera/oauth-errors';
import { generateReferenceToken, hashSecret, verifySecret } from '@tessera/token-formats';
import { CLOCK, epochSeconds, type Clock } from '../clock';
import { TOKEN_SERVICE_CONFIG, type TokenServiceConfig } from '../config/token-service-config';
import { AccessTokenStore } from '../ports/access-token.store';
import { ClientStore } from '../ports/client.store';
import { RefreshTokenStore } from '../ports/refresh-token.store';
import { UnitOfWork, type Transaction } from '../ports/unit-of-work';
import { isBuiltInClient, lockedChanges, refuseBuiltIn } from './built-in-clients';
import type { Client } from './client';
import { clientMetadataView, parseClientMetadata, type ClientProperties } from './client-metadata';
import { checkSectorIdentifier } from './sector-identifier';
import { OUTBOUND_HTTP } from '../token-service.tokens';
import { isUniqueViolation, LOGGER, type OutboundHttpClient } from '@tessera/runtime';

/** Credentials shown once, at creation or rotation; only their hashes are kept. */
export interface IssuedCredentials {
  clientSecret?: string;
  registrationAccessToken?: string;
}

const CLIENT_CACHE_MS = 30_000;
const CLIENTS_CHANNEL = 'token-service.clients';

/**
 * The client registry. Every change commits with its `client.*` event (outbox), and is
 * broadcast so that every replica drops its cached copy at once.
 */
@Injectable()
export class ClientsService implements OnModuleInit {
  private readonly cache = new Map<string, { client: Client | undefined; at: number }>();

  constructor(
    private readonly store: ClientStore,
    private readonly accessTokens: AccessTokenStore,
    private readonly refreshTokens: RefreshTokenStore,
    private readonly uow: UnitOfWork,
    private readonly outbox: Outbox,
    private readonly broadcaster: Broadcaster,
    @Inject(TOKEN_SERVICE_CONFIG) private readonly config: TokenServiceConfig,
    @Inject(OUTBOUND_HTTP) private readonly http: OutboundHttpClient,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Metadata checks that need the network (sector_identifier_uri), after the offline ones. */
  private async parse(metadata: unknown, mode: 'dynamic' | 'managed', registrationScopes?: string[]): Promise<ClientProperties> {
    const policy = this.policy(mode);
    if (registrationScopes) policy.registrationScopes = policy.registrationScopes.filter((s) => registrationScopes.includes(s));
    const props = parseClientMetadata(metadata, policy);
    if (props.sectorIdentifierUri) await checkSectorIdentifier(this.http, props.sectorIdentifierUri, props.redirectUris);
    return props;
  }

  async onModuleInit() {
    await this.broadcaster.subscribe(CLIENTS_CHANNEL, (message: unknown) => {
      const clientId = (message as { clientId?: string }).clientId;
      if (clientId) this.cache.delete(clientId);
    });
  }

  /** A client by id, from a short-lived cache: the token endpoint reads it on every request. */
  async find(clientId: string): Promise<Client | undefined> {
    const hit = this.cache.get(clientId);
    if (hit && this.clock() - hit.at < CLIENT_CACHE_MS) return hit.client;
    const client = await this.store.find(clientId);
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(clientId, { client, at: this.clock() });
    return client;
  }

  async get(clientId: string): Promise<Client> {
    const client = await this.store.find(clientId);
    if (!client) throw new NotFoundError(`No client with id "${clientId}".`);
    return client;
  }

  list() {
    return this.store.list();
  }

  /**
   * `registrationScopes` narrows what a dynamic registration may ask for (an initial access token's
   * allow-list). `builtIn`: the bootstrap services registering a built-in client, whose ids no one
   * else may take (built-in-clients.ts).
   */
  async create(
    metadata: unknown,
    mode: 'dynamic' | 'managed',
    options: { registrationScopes?: string[]; builtIn?: boolean } = {},
  ): Promise<{ client: Client } & IssuedCredentials> {
    const props = await this.parse(metadata, mode, options.registrationScopes);
    const now = epochSeconds(this.clock);
    const requested = (metadata as Record<string, unknown>)['client_id'];
    let clientId: string = randomUUID();
    if (mode === 'managed' && requested !== undefined) {
      // `.` and `..` are path segments, not ids: no URL could name such a client.
      if (typeof requested !== 'string' || !/^[A-Za-z0-9._~-]{1,255}$/.test(requested) || /^\.{1,2}$/.test(requested)) {
        throw new InvalidClientMetadataError('client_id must be 1 to 255 characters of A-Z a-z 0-9 . _ ~ -.');
      }
      if (await this.store.find(requested)) throw new InvalidClientMetadataError(`A client with id "${requested}" already exists.`);
      if (isBuiltInClient(requested) && !options.builtIn) throw refuseBuiltIn.create(requested);
      clientId = requested;
    }
    const credentials: IssuedCredentials = {};
    const client: Client = { ...props, clientId, disabled: false, createdAt: now, updatedAt: now };
    if (hasSecret(client)) {
      const secret = generateReferenceToken('client_secret').value;
      credentials.clientSecret = secret;
      client.secretHash = hashSecret(secret);
      client.secretExpiresAt = 0;
    }
    if (mode === 'dynamic') {
      const rat = generateReferenceToken('registration_access_token');
      credentials.registrationAccessToken = rat.value;
      client.registrationAccessTokenHash = rat.storageKey;
    }
    try {
      await this.uow.run(async (tx) => {
        await this.store.insert(client, tx);
        await this.outbox.add(tx, 'client.created', { clientId });
      });
    } catch (err) {
      // The same id inserted a moment earlier by another request or replica (the find above saw
      // nothing): the same answer as when it was found, not a driver error.
      if (isUniqueViolation(err)) throw new InvalidClientMetadataError(`A client with id "${clientId}" already exists.`);
      throw err;
    }
    // find() caches misses too: an id probed before its creation must not stay "unknown".
    await this.invalidate(clientId);
    return { client, ...credentials };
  }

  /**
   * Replaces a client's metadata (RFC 7592 §2.2 semantics: omitted fields take defaults). A
   * built-in client's may change only in its editable fields: the replacement is refused if it
   * would change anything else (so a PUT of the whole view with a new name is fine).
   */
  async update(clientId: string, metadata: unknown, mode: 'dynamic' | 'managed'): Promise<{ client: Client } & IssuedCredentials> {
    const existing = await this.get(clientId);
    const props = await this.parse(metadata, mode);
    if (isBuiltInClient(clientId)) {
      const locked = lockedChanges(policyView(existing), policyView({ ...existing, ...props }));
      if (locked.length) throw refuseBuiltIn.edit(clientId, locked);
    }
    const client: Client = {
      ...props,
      dynamic: existing.dynamic,
      clientId,
      secretHash: existing.secretHash,
      secretExpiresAt: existing.secretExpiresAt,
      registrationAccessTokenHash: existing.registrationAccessTokenHash,
      revokedBefore: existing.revokedBefore,
      // Not part of the metadata: a PUT that edits the client must never switch it back on.
      disabled: existing.disabled,
      createdAt: existing.createdAt,
      updatedAt: epochSeconds(this.clock),
    };
    const credentials: IssuedCredentials = {};
    if (hasSecret(client) && !client.secretHash) {
      credentials.clientSecret = generateReferenceToken('client_secret').value;
      client.secretHash = hashSecret(credentials.clientSecret);
      client.secretExpiresAt = 0;
    } else if (!hasSecret(client)) {
      client.secretHash = undefined;
    }
    await this.commit(client, 'client.updated');
    return { client, ...credentials };
  }

  async rotateSecret(clientId: string): Promise<{ client: Client; clientSecret: string }> {
    const client = await this.get(clientId);
    // tessera-cli's secret is the operator's (TESSERA_CLI_SECRET or cli.secret), set at every start.
    if (isBuiltInClient(clientId)) throw refuseBuiltIn.rotateSecret(clientId);
    if (!hasSecret(client)) throw new InvalidClientMetadataError(`Client "${clientId}" does not authenticate with a client secret.`);
    const clientSecret = generateReferenceToken('client_secret').value;
    const updated = { ...client, secretHash: hashSecret(clientSecret), updatedAt: epochSeconds(this.clock) };
    await this.commit(updated, 'client.updated');
    return { client: updated, clientSecret };
  }

  /**
   * The bootstrap services' own write of a built-in client (never reached from an API): replaces
   * its metadata with `metadata` (the fixed settings and the editable ones it keeps) and turns it
   * on, keeping its secret, `revoked_before` and creation time. Writes only if something changes.
   * `corrected`: the locked fields that differed, with their previous values; `enabled`: it was
   * disabled. A parse refusal (an issuer that cannot be a redirect URI) throws, changing nothing.
   */
  async applyBuiltIn(
    clientId: string,
    metadata: Record<string, unknown>,
  ): Promise<{ client: Client; corrected: string[]; previous: Record<string, unknown>; enabled: boolean }> {
    if (!isBuiltInClient(clientId)) throw new Error(`${clientId} is not a built-in client`);
    const existing = await this.get(clientId);
    const props = await this.parse(metadata, 'managed');
    const client: Client = {
      ...props,
      clientId,
      dynamic: false,
      // Built-in clients are never RFC 7592's to manage.
      registrationAccessTokenHash: undefined,
      secretHash: hasSecret(props) ? existing.secretHash : undefined,
      secretExpiresAt: hasSecret(props) ? existing.secretExpiresAt : undefined,
      revokedBefore: existing.revokedBefore,
      disabled: false,
      createdAt: existing.createdAt,
      updatedAt: existing.updatedAt,
    };
    const before = policyView(existing);
    const corrected = lockedChanges(before, policyView(client));
    const previous = Object.fromEntries(corrected.map((f) => [f, before[f]]));
    const enabled = existing.disabled;
    const unchanged =
      !enabled && !existing.dynamic && existing.registrationAccessTokenHash === undefined && existing.secretHash === client.secretHash && isDeepStrictEqual(before, policyView(client));
    if (unchanged) return { client: existing, corrected, previous, enabled };
    client.updatedAt = epochSeconds(this.clock);
    await this.commit(client, 'client.updated');
    return { client, corrected, previous, enabled };
  }

  /**
   * Sets the secret of a bootstrap client to one the operator chose (TESSERA_CLI_SECRET, or the
   * data-dir file), unless it already verifies: restarts with the same secret write nothing.
   */
  async setSecret(clientId: string, clientSecret: string): Promise<void> {
    const client = await this.get(clientId);
    if (client.secretHash && verifySecret(clientSecret, client.secretHash)) return;
    await this.commit({ ...client, secretHash: hashSecret(clientSecret), secretExpiresAt: 0, updatedAt: epochSeconds(this.clock) }, 'client.updated');
  }

  /**
   * "Revoke all access": every token issued to the client so far becomes inactive at once, and
   * `client.revoked` tells every consumer (refresh tokens, OP sessions, back-channel logout).
   */
  async revokeAll(clientId: string): Promise<Client> {
    const client = await this.get(clientId);
    const now = epochSeconds(this.clock);
    const updated = { ...client, revokedBefore: now, updatedAt: now };
    await this.uow.run(async (tx) => {
      await this.store.save(updated, tx);
      await this.accessTokens.deleteByClient(clientId, tx);
      await this.refreshTokens.revokeByClient(clientId, now, tx);
      await this.outbox.add(tx, 'client.revoked', { clientId, revokedAt: new Date(now * 1000).toISOString() });
    });
    await this.invalidate(clientId);
    return updated;
  }

  /**
   * The client-wide part of an administrator's revocation (`revocation.requested`), in the
   * caller's transaction: what revokeAll does, bounded by `at`. Every token issued to the client
   * at or before `at` becomes inactive, but `revokedBefore` only ever moves forward, so a request
   * that arrives late leaves alone what was issued after it was made. `client.revoked` goes in
   * the same transaction: its consumer deletes those tokens and, once this has committed, drops
   * the client from every replica's cache (this one's included). `disable` also turns it off.
   * False, doing nothing, for a client that no longer exists.
   */
  async revokeIssuedUpTo(clientId: string, at: number, options: { disable: boolean }, tx: Transaction): Promise<boolean> {
    if (!(await this.store.find(clientId))) return false;
    const now = epochSeconds(this.clock);
    await this.store.revokeIssuedUpTo(clientId, at, now, tx);
    // The admin API refuses to ask it; a request that still does (an older admin API) revokes only.
    const disable = options.disable && !isBuiltInClient(clientId);
    if (options.disable && !disable) this.logger.warn({ clientId }, 'a revocation asked to disable a built-in client: its access is revoked, but it stays enabled');
    if (disable && (await this.store.setDisabled(clientId, true, now, tx))) {
      await this.outbox.add(tx, 'client.updated', { clientId });
    }
    await this.outbox.add(tx, 'client.revoked', { clientId, revokedAt: new Date(at * 1000).toISOString() });
    return true;
  }

  /**
   * Turns a client off or on again (the internal API). Idempotent: no change, no event. Only the
   * flag changes, in one statement, so an edit of the client made meanwhile is kept. A built-in
   * client cannot be turned off (turning it on is allowed: it repairs, the next start would too).
   */
  async setDisabled(clientId: string, disabled: boolean): Promise<Client> {
    await this.get(clientId);
    if (disabled && isBuiltInClient(clientId)) throw refuseBuiltIn.disable(clientId);
    const changed = await this.uow.run(async (tx) => {
      if (!(await this.store.setDisabled(clientId, disabled, epochSeconds(this.clock), tx))) return false;
      await this.outbox.add(tx, 'client.updated', { clientId });
      return true;
    });
    if (changed) await this.invalidate(clientId);
    return this.get(clientId);
  }

  async delete(clientId: string): Promise<void> {
    await this.get(clientId);
    if (isBuiltInClient(clientId)) throw refuseBuiltIn.delete(clientId);
    await this.uow.run(async (tx) => {
      await this.accessTokens.deleteByClient(clientId, tx);
      // A client re-created later under the same client_id must not inherit them.
      await this.refreshTokens.revokeByClient(clientId, epochSeconds(this.clock), tx);
      await this.store.delete(clientId, tx);
      await this.outbox.add(tx, 'client.deleted', { clientId });
    });
    await this.invalidate(clientId);
  }

  async invalidate(clientId: string) {
    this.cache.delete(clientId);
    await this.broadcaster.publish(CLIENTS_CHANNEL, { clientId });
  }

  private async commit(client: Client, event: 'client.updated') {
    await this.uow.run(async (tx) => {
      await this.store.save(client, tx);
      await this.outbox.add(tx, event, { clientId: client.clientId });
    });
    await this.invalidate(client.clientId);
  }

  private policy(mode: 'dynamic' | 'managed') {
    return {
      mode,
      registrationScopes: this.config.registrationScopes,
      defaults: { accessTokenTtl: this.config.accessTokenTtl, refreshTokenTtl: this.config.refreshTokenTtl },
      outboundAllowPrivate: this.config.outboundAllowPrivate,
    };
  }
}

const policyView = (client: Client) => clientMetadataView(client, { policy: true });

const hasSecret = (c: Pick<Client, 'tokenEndpointAuthMethod'>) =>
  c.tokenEndpointAuthMethod === 'client_secret_basic' || c.tokenEndpointAuthMethod === 'client_secret_post';
