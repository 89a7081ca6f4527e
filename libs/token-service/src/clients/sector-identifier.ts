import { InvalidClientMetadataError } from '@tessera/oauth-errors';
import { OutboundHttpError, type OutboundHttpClient } from '@tessera/runtime';

/**
 * OpenID Connect Registration §5 (and Core §8.1): the sector_identifier_uri is an https URL
 * whose content is a JSON array of redirect URIs; every redirect URI the client registers must
 * be in it, which is how the host that owns the sector vouches for the client's hosts.
 */
export async function checkSectorIdentifier(http: OutboundHttpClient, uri: string, redirectUris: readonly string[]): Promise<void> {
  let listed: unknown;
  try {
    listed = await http.getJson(uri, { maxBodyBytes: 64 * 1024 });
  } catch (err) {
    // The reason stays in the log: an answer naming resolved addresses would map internal DNS.
    if (err instanceof OutboundHttpError) {
      throw new InvalidClientMetadataError('sector_identifier_uri could not be fetched (it must be a public https URL answering 200 with a JSON array).', {
        detail: `${err.reason}: ${err.message}`,
      });
    }
    throw err;
  }
  if (!Array.isArray(listed) || !listed.every((u) => typeof u === 'string')) {
    throw new InvalidClientMetadataError('sector_identifier_uri must answer a JSON array of redirect URIs.');
  }
  const missing = redirectUris.filter((u) => !listed.includes(u));
  if (missing.length) {
    throw new InvalidClientMetadataError(`sector_identifier_uri does not list the redirect URI ${missing.join(', ')} (OpenID Connect Registration §5).`);
  }
}
