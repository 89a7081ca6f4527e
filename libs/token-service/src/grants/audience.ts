import type { AccessTokenFormat, Client } from '../clients/client';
import type { ResourceServersService } from '../resources/resource-servers.service';

export interface Audience {
  audience: string[];
  /** The format the resource servers ask for, when they all agree on one. */
  format?: AccessTokenFormat;
}

/**
 * The audience of an access token (RFC 8707): the resource servers named, or the client's
 * default audience when none is. Throws `invalid_target` for a resource that is not registered.
 */
export async function audienceOf(resourceServers: ResourceServersService, resources: readonly string[], client: Client): Promise<Audience> {
  if (!resources.length) return { audience: client.defaultAudience };
  const servers = await resourceServers.resolve([...resources]);
  const formats = new Set(servers.map((rs) => rs.accessTokenFormat).filter((f): f is AccessTokenFormat => f !== undefined));
  return { audience: servers.map((rs) => rs.identifier), format: formats.size === 1 ? [...formats][0] : undefined };
}

/** RFC 8707 §2.2: a token request may narrow the resources of the grant, never widen them. */
export function outsideOf(requested: readonly string[], granted: readonly string[]): string[] {
  return requested.filter((r) => !granted.includes(r));
}
