import { Inject, Injectable } from '@nestjs/common';
import { decodeProtectedHeader, type JWK } from 'jose';
import { OutboundHttpError, type OutboundHttpClient } from '@tessera/runtime';
import type { Client } from './client';
import { CLOCK, type Clock } from '../clock';
import { OUTBOUND_HTTP } from '../token-service.tokens';

/** A fetched key set is used this long before it is fetched again. */
const CACHE_MS = 5 * 60_000;
/** An unknown kid refetches the set, at most this often per client (a key rotation, not a flood). */
const REFETCH_AFTER_MS = 60_000;
const MAX_CLIENTS = 10_000;

interface Cached {
  uri: string;
  keys: JWK[];
  fetchedAt: number;
}

/** Why a client's keys could not be had; the caller turns it into its protocol's error. */
export class ClientKeysError extends Error {}

/**
 * A client's public keys (RFC 7591 §2): inline `jwks`, or `jwks_uri` fetched through the
 * outbound client and cached, refetched when a signature names a kid the cached set lacks
 * (the client rotated its keys).
 */
@Injectable()
export class ClientKeysService {
  private readonly cache = new Map<string, Cached>();
  private readonly inflight = new Map<string, Promise<JWK[]>>();

  constructor(
    @Inject(OUTBOUND_HTTP) private readonly http: OutboundHttpClient,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** The client's keys; `kid` (from the JWS header) refetches a jwks_uri set that lacks it. */
  async keysOf(client: Client, kid?: string): Promise<JWK[]> {
    if (client.jwks) return client.jwks.keys as JWK[];
    if (!client.jwksUri) return [];
    const cached = this.cache.get(client.clientId);
    const now = this.clock();
    const fresh = cached && cached.uri === client.jwksUri && now - cached.fetchedAt < CACHE_MS;
    const lacksKid = cached && kid !== undefined && !cached.keys.some((k) => k.kid === kid);
    if (fresh && !(lacksKid && now - cached.fetchedAt >= REFETCH_AFTER_MS)) return cached.keys;
    return this.fetch(client.clientId, client.jwksUri);
  }

  private fetch(clientId: string, uri: string): Promise<JWK[]> {
    let pending = this.inflight.get(clientId);
    if (!pending) {
      pending = this.load(uri)
        .then((keys) => {
          if (this.cache.size >= MAX_CLIENTS) this.cache.delete(this.cache.keys().next().value as string);
          this.cache.set(clientId, { uri, keys, fetchedAt: this.clock() });
          return keys;
        })
        .finally(() => this.inflight.delete(clientId));
      this.inflight.set(clientId, pending);
    }
    return pending;
  }

  private async load(uri: string): Promise<JWK[]> {
    let body: unknown;
    try {
      body = await this.http.getJson(uri, { maxBodyBytes: 128 * 1024 });
    } catch (err) {
      if (err instanceof OutboundHttpError) throw new ClientKeysError(`jwks_uri could not be fetched: ${err.message}`);
      throw err;
    }
    const keys = (body as { keys?: unknown })?.keys;
    if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'object' && k !== null && !Array.isArray(k))) {
      throw new ClientKeysError('jwks_uri did not answer a JWK Set (an object with a "keys" array).');
    }
    // Only public keys: a private or symmetric member means the document is not what it should be.
    return (keys as JWK[]).filter((k) => !('d' in k) && !('k' in k));
  }
}

/** The `kid` a compact JWS names, if it can be read (verification decides the rest). */
export function jwsKid(jwt: string): string | undefined {
  try {
    return decodeProtectedHeader(jwt).kid;
  } catch {
    return undefined;
  }
}
