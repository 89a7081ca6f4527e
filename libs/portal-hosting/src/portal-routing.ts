import { acceptsHtml } from './negotiation';
import type { PortalBuild, PortalFile } from './portal-build';
import { isApiPath, isPortalPage } from './portal-paths';

/** Hashed file names (`index-TBNkackV.js`) never change content: cached for a year. */
export const IMMUTABLE = 'public, max-age=31536000, immutable';
/** Other files of the build (`/favicon.svg`) keep their names across builds: an hour. */
export const SHORT_LIVED = 'public, max-age=3600';
/** index.html names the current build's assets: always revalidated. */
export const REVALIDATE = 'no-cache';

export type PortalAnswer =
  /** A file of the build. */
  | { kind: 'file'; file: PortalFile; cacheControl: string }
  /** index.html: 200 for a portal page, 404 for an unknown path a browser navigates to. */
  | { kind: 'page'; file: PortalFile; status: 200 | 404 }
  /** A page, but there is no build to serve it from. */
  | { kind: 'unavailable'; status: 200 | 404 }
  /** Not the portal's: the platform's JSON 404 answers. */
  | { kind: 'none' };

/**
 * What the portal answers to a GET (or HEAD) of `rawPath` (the request target without its
 * query, still percent-encoded). API prefixes come first, so no file of the build can shadow an
 * endpoint; then the build's own files (a lookup in memory, never the file system); then the
 * portal's pages; then the not-found page, for requests that take HTML.
 */
export function routePortalRequest(rawPath: string, accept: string | undefined, build: PortalBuild): PortalAnswer {
  const path = decodedPath(rawPath);
  if (path === undefined || isApiPath(path)) return { kind: 'none' };
  const file = build.files.get(path);
  if (file) return { kind: 'file', file, cacheControl: path.startsWith('/assets/') ? IMMUTABLE : SHORT_LIVED };
  const status = isPortalPage(path) ? 200 : acceptsHtml(accept) ? 404 : undefined;
  if (status === undefined) return { kind: 'none' };
  return build.index ? { kind: 'page', file: build.index, status } : { kind: 'unavailable', status };
}

/** The path to match: percent-decoded, so that `/admin/%61pi` is the admin API's too. Undefined if malformed. */
function decodedPath(rawPath: string): string | undefined {
  try {
    const path = decodeURIComponent(rawPath);
    return path.startsWith('/') && !path.includes('\0') ? path : undefined;
  } catch {
    return undefined;
  }
}

/** `/login?login_challenge=…` → `/login`. */
export const pathOfUrl = (url: string) => url.split(/[?#]/, 1)[0] ?? '/';
