import { createHash } from 'node:crypto';

/** A salt shorter than this could be brute-forced, and the subject linked back to the local account. */
const MIN_SALT_BYTES = 16;

export interface PairwiseSubjectInput {
  /** The client's sector identifier: a host, as returned by `sectorIdentifierOf`. */
  readonly sectorIdentifier: string;
  /** The user's own, public `sub` in Tessera. */
  readonly localSubject: string;
  /** A server secret of at least 16 bytes; rotating it changes every pairwise subject. */
  readonly salt: string | Buffer;
}

/**
 * The pairwise `sub` of a user for one sector (OIDC Core §8.1):
 * base64url(SHA-256(sector_identifier || local_account_id || salt)), strings as UTF-8.
 *
 * The formula is the one §8.1 gives. It is stable (the same inputs always give the same value,
 * so it needs no storage), differs per sector (clients of different organisations cannot
 * correlate a user) and, thanks to the secret salt, cannot be computed from the local subject
 * by anyone else. The plain concatenation is unambiguous within one sector (the sector prefix
 * and the salt suffix are fixed, so different local subjects give different inputs); only
 * across sectors could two (sector, subject) pairs meet, which can at worst make two clients
 * of different sectors see the same value for two different users, never link one user.
 *
 * The result is 43 characters, well under the 255 §2 allows for `sub`.
 */
export function pairwiseSubject(input: PairwiseSubjectInput): string {
  const { sectorIdentifier, localSubject, salt } = input;
  if (typeof sectorIdentifier !== 'string' || sectorIdentifier === '') {
    throw new TypeError('sectorIdentifier must be a non-empty host');
  }
  if (typeof localSubject !== 'string' || localSubject === '') {
    throw new TypeError('localSubject must be a non-empty string');
  }
  const saltBytes = typeof salt === 'string' ? Buffer.from(salt, 'utf8') : salt;
  if (!Buffer.isBuffer(saltBytes) || saltBytes.length < MIN_SALT_BYTES) {
    throw new TypeError(`salt must be at least ${MIN_SALT_BYTES} bytes`);
  }
  return createHash('sha256')
    .update(sectorIdentifier, 'utf8')
    .update(localSubject, 'utf8')
    .update(saltBytes)
    .digest('base64url');
}

/**
 * The sector identifier of a client (OIDC Core §8.1, OIDC Registration §5): the host of its
 * `sector_identifier_uri` when it registered one, otherwise the one host all its `redirect_uris`
 * share.
 *
 * "Host" is the RFC 3986 host component, without the port: two redirect URIs on one host and two
 * ports belong to one organisation. (node-oidc-provider keeps the port; we follow the spec text.)
 *
 * Throws a TypeError, which the registration layer turns into `invalid_client_metadata`, when the
 * redirect URIs span several hosts (or have none, e.g. a native app's private-use scheme) and no
 * `sector_identifier_uri` was given. Fetching the `sector_identifier_uri` and checking that it lists
 * every redirect URI (OIDC Registration §5) is the registration layer's job: it needs the network.
 */
export function sectorIdentifierOf(redirectUris: readonly string[], sectorIdentifierUri?: string): string {
  if (sectorIdentifierUri !== undefined) {
    const host = hostOf(sectorIdentifierUri);
    if (host === undefined) {
      throw new TypeError('sector_identifier_uri must be an absolute URL with a host');
    }
    return host;
  }

  const hosts = new Set<string>();
  for (const uri of redirectUris) {
    const host = hostOf(uri);
    if (host === undefined) {
      throw new TypeError(
        `sector_identifier_uri is required: the redirect URI ${JSON.stringify(uri)} has no host to derive a sector identifier from`,
      );
    }
    hosts.add(host);
  }
  if (hosts.size === 0) {
    throw new TypeError('sector_identifier_uri is required when there are no redirect_uris');
  }
  if (hosts.size > 1) {
    throw new TypeError(
      `sector_identifier_uri is required when the redirect_uris use several hosts (${[...hosts].join(', ')})`,
    );
  }
  return [...hosts][0];
}

/** The lower-cased host of an absolute URL (IDNs in their punycode form), or undefined. */
function hostOf(uri: string): string | undefined {
  if (typeof uri !== 'string' || !URL.canParse(uri)) return undefined;
  const { hostname } = new URL(uri);
  return hostname === '' ? undefined : hostname;
}
