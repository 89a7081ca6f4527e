/**
 * Where the portal's pages are: the platform answers these with index.html (the portal's router
 * renders the page), and the reverse proxy of distributed mode serves the same list (issue 9).
 * apps/portal/src/routes.tsx lists the same pages; anything else is the portal's not-found page.
 */
export const PORTAL_PATHS = {
  /** index.html at exactly these paths (`/` redirects to /account in the portal). */
  exact: [
    '/',
    '/login',
    '/consent',
    '/signup',
    '/verify-email',
    '/forgot-password',
    '/reset-password',
    '/signed-out',
    '/error',
    '/callback',
    '/account',
    '/admin',
  ],
  /** ...and at every path under these (`/account/apps`, `/admin/clients/abc`)... */
  prefixes: ['/account/', '/admin/'],
  /** ...except these and every path under them: an API's, which answers its own 404s. */
  excluded: ['/admin/api'],
} as const;

/**
 * The public APIs' prefixes (and the health checks'): a path under one of them is never a
 * portal page, not even a not-found page; an unknown one there keeps its JSON 404.
 */
export const API_PATH_PREFIXES = ['/oauth2', '/auth', '/admin/api', '/.well-known', '/internal', '/health'] as const;

/** `path` is `prefix` or under it (`/auth` and `/auth/login`, not `/authors`). */
export const isUnder = (path: string, prefix: string) => path === prefix || path.startsWith(`${prefix}/`);

export function isApiPath(path: string): boolean {
  return API_PATH_PREFIXES.some((prefix) => isUnder(path, prefix));
}

/** A page of the portal (a path without its query). */
export function isPortalPage(path: string): boolean {
  if (PORTAL_PATHS.excluded.some((prefix) => isUnder(path, prefix))) return false;
  return (PORTAL_PATHS.exact as readonly string[]).includes(path) || PORTAL_PATHS.prefixes.some((prefix) => path.startsWith(prefix));
}
