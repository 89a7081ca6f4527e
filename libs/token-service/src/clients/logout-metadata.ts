import { InvalidClientMetadataError } from '@tessera/oauth-errors';
import type { Client } from './client';

export type LogoutMetadata = Pick<Client, 'postLogoutRedirectUris' | 'frontchannelLogoutUri' | 'frontchannelLogoutSessionRequired'>;

const MAX_LENGTH = 2048;
const MAX_URIS = 100;

/**
 * The client metadata of RP-Initiated Logout 1.0 §3.1 (`post_logout_redirect_uris`) and
 * Front-Channel Logout 1.0 §2 (`frontchannel_logout_uri`, `frontchannel_logout_session_required`).
 * Post-logout redirect URIs are held to the rules of redirect URIs, since the OP sends the
 * browser there: absolute, no fragment, no script scheme, plain http only on a loopback host.
 * The front-channel URI is rendered in an iframe: https, or http on a loopback host.
 */
export function parseLogoutMetadata(m: Record<string, unknown>): LogoutMetadata {
  const uris = stringArray(m, 'post_logout_redirect_uris');
  for (const uri of uris ?? []) checkRedirectLike('post_logout_redirect_uris', uri);
  const frontchannel = optionalString(m, 'frontchannel_logout_uri');
  if (frontchannel !== undefined) {
    const url = absolute('frontchannel_logout_uri', frontchannel);
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url))) {
      throw new InvalidClientMetadataError(`frontchannel_logout_uri "${frontchannel}" must use https (http is only allowed for loopback addresses).`);
    }
  }
  return {
    postLogoutRedirectUris: uris?.length ? uris : undefined,
    frontchannelLogoutUri: frontchannel,
    frontchannelLogoutSessionRequired: boolean(m, 'frontchannel_logout_session_required'),
  };
}

/** The registration response members (RFC 7591 §3.2.1: the metadata as registered). */
export function logoutMetadataView(client: Client): Record<string, unknown> {
  return {
    post_logout_redirect_uris: client.postLogoutRedirectUris?.length ? client.postLogoutRedirectUris : undefined,
    frontchannel_logout_uri: client.frontchannelLogoutUri,
    // §2: "If omitted, the default value is false": say so whenever the URI is registered.
    frontchannel_logout_session_required:
      client.frontchannelLogoutUri !== undefined ? client.frontchannelLogoutSessionRequired === true : client.frontchannelLogoutSessionRequired || undefined,
  };
}

function checkRedirectLike(field: string, uri: string) {
  const url = absolute(field, uri);
  if (url.protocol === 'javascript:' || url.protocol === 'data:') throw new InvalidClientMetadataError(`${field}: "${uri}" uses a forbidden scheme.`);
  if (url.protocol === 'http:' && !isLoopback(url)) {
    throw new InvalidClientMetadataError(`${field}: "${uri}" must use https (http is only allowed for loopback addresses).`);
  }
}

function absolute(field: string, uri: string): URL {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new InvalidClientMetadataError(`${field}: "${uri}" is not an absolute URI.`);
  }
  if (url.hash || uri.includes('#')) throw new InvalidClientMetadataError(`${field}: "${uri}" must not contain a fragment.`);
  if (url.username || url.password) throw new InvalidClientMetadataError(`${field}: "${uri}" must not contain credentials.`);
  return url;
}

const isLoopback = (url: URL) => url.hostname === 'localhost' || url.hostname === '127.0.0.1' || url.hostname === '[::1]';

function optionalString(m: Record<string, unknown>, key: string): string | undefined {
  const v = m[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || v.length === 0 || v.length > MAX_LENGTH) throw new InvalidClientMetadataError(`${key} must be a string of 1 to ${MAX_LENGTH} characters.`);
  return v;
}

function stringArray(m: Record<string, unknown>, key: string): string[] | undefined {
  const v = m[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.length > MAX_URIS || !v.every((x) => typeof x === 'string' && x.length > 0 && x.length <= MAX_LENGTH)) {
    throw new InvalidClientMetadataError(`${key} must be an array of at most ${MAX_URIS} strings.`);
  }
  return [...new Set(v as string[])];
}

function boolean(m: Record<string, unknown>, key: string): boolean | undefined {
  const v = m[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw new InvalidClientMetadataError(`${key} must be true or false.`);
  return v;
}
