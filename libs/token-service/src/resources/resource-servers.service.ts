import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { InvalidClientMetadataError, InvalidTargetError, NotFoundError } from '@tessera/oauth-errors';
import { isUniqueViolation } from '@tessera/runtime';
import { ACCESS_TOKEN_FORMATS, type AccessTokenFormat } from '../clients/client';
import { isAbsoluteUri } from '../clients/client-metadata';
import { CLOCK, epochSeconds, type Clock } from '../clock';
import { ResourceServerStore, type ResourceServer } from '../ports/resource-server.store';

const RS_CACHE_MS = 30_000;

/** APIs registered to accept our tokens (RFC 8707 resource indicators) and to introspect them. */
@Injectable()
export class ResourceServersService {
  private cache?: { byIdentifier: Map<string, ResourceServer>; at: number };

  constructor(
    private readonly store: ResourceServerStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async register(input: unknown): Promise<ResourceServer> {
    const body = (typeof input === 'object' && input) || {};
    const { identifier, name, scopes, access_token_format, client_id } = body as Record<string, unknown>;
    if (typeof identifier !== 'string' || !isAbsoluteUri(identifier)) {
      throw new InvalidClientMetadataError('identifier must be an absolute URI without a fragment (RFC 8707 §2).');
    }
    if (scopes !== undefined && (!Array.isArray(scopes) || !scopes.every((s) => typeof s === 'string'))) {
      throw new InvalidClientMetadataError('scopes must be an array of strings.');
    }
    if (access_token_format !== undefined && !ACCESS_TOKEN_FORMATS.includes(access_token_format as AccessTokenFormat)) {
      throw new InvalidClientMetadataError(`access_token_format must be one of: ${ACCESS_TOKEN_FORMATS.join(', ')}.`);
    }
    if (client_id !== undefined && typeof client_id !== 'string') throw new InvalidClientMetadataError('client_id must be a string.');
    if (await this.store.findByIdentifier(identifier)) {
      throw new InvalidClientMetadataError(`A resource server with identifier "${identifier}" already exists.`);
    }
    const rs: ResourceServer = {
      id: randomUUID(),
      identifier,
      name: typeof name === 'string' && name ? name : identifier,
      scopes: (scopes as string[] | undefined) ?? [],
      accessTokenFormat: access_token_format as AccessTokenFormat | undefined,
      clientId: client_id as string | undefined,
      createdAt: epochSeconds(this.clock),
    };
    try {
      await this.store.insert(rs);
    } catch (err) {
      // Inserted a moment ago by another request or replica (both checks saw it free).
      if (isUniqueViolation(err)) throw new InvalidClientMetadataError(`A resource server with identifier "${identifier}" already exists.`);
      throw err;
    }
    this.cache = undefined;
    return rs;
  }

  list() {
    return this.store.list();
  }

  async remove(id: string) {
    if (!(await this.store.delete(id))) throw new NotFoundError(`No resource server with id "${id}".`);
    this.cache = undefined;
  }

  /** RFC 8707: every `resource` must be an absolute URI naming a registered resource server. */
  async resolve(resources: string[]): Promise<ResourceServer[]> {
    const known = await this.byIdentifier();
    return resources.map((resource) => {
      if (!isAbsoluteUri(resource)) {
        throw new InvalidTargetError(`resource "${resource}" must be an absolute URI without a fragment (RFC 8707 §2).`);
      }
      const rs = known.get(resource);
      if (!rs) throw new InvalidTargetError(`resource "${resource}" is not a registered resource server.`);
      return rs;
    });
  }

  /** The resource servers a client may introspect for (those that use its credentials). */
  async identifiersIntrospectableBy(clientId: string): Promise<Set<string>> {
    const known = await this.byIdentifier();
    return new Set([...known.values()].filter((rs) => rs.clientId === clientId).map((rs) => rs.identifier));
  }

  private async byIdentifier(): Promise<Map<string, ResourceServer>> {
    if (this.cache && this.clock() - this.cache.at < RS_CACHE_MS) return this.cache.byIdentifier;
    const all = await this.store.list();
    this.cache = { byIdentifier: new Map(all.map((rs) => [rs.identifier, rs])), at: this.clock() };
    return this.cache.byIdentifier;
  }
}
