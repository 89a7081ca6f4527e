import { API_PATH_PREFIXES, isApiPath, isPortalPage, PORTAL_PATHS } from './portal-paths';

describe('the portal pages', () => {
  it.each([
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
    '/account/',
    '/account/apps',
    '/account/sessions/s-1',
    '/admin',
    '/admin/',
    '/admin/clients/c-1',
    '/admin/apis',
    '/admin/apiary/x',
  ])('%s is a page', (path) => {
    expect(isPortalPage(path)).toBe(true);
  });

  it.each(['/admin/api', '/admin/api/', '/admin/api/clients', '/login/', '/login/x', '/accounts', '/administrator', '/oauth2/authorize', '/auth/login', '/index.html', '//login', ''])(
    '%j is not',
    (path) => {
      expect(isPortalPage(path)).toBe(false);
    },
  );

  it('lists the exact pages, the prefixes and the API exclusion nginx will use', () => {
    expect(PORTAL_PATHS.exact).toContain('/callback');
    expect(PORTAL_PATHS.prefixes).toEqual(['/account/', '/admin/']);
    expect(PORTAL_PATHS.excluded).toEqual(['/admin/api']);
  });
});

describe('the API prefixes', () => {
  it.each(['/oauth2', '/oauth2/token', '/auth', '/auth/login', '/admin/api', '/admin/api/clients', '/.well-known/openid-configuration', '/internal/clients', '/health', '/health/ready'])(
    '%s is an API path',
    (path) => {
      expect(isApiPath(path)).toBe(true);
    },
  );

  it.each(['/oauth2x', '/authors', '/admin', '/admin/apis', '/healthy', '/login'])('%s is not', (path) => {
    expect(isApiPath(path)).toBe(false);
  });

  it('never overlaps a portal page', () => {
    for (const prefix of API_PATH_PREFIXES) expect(isPortalPage(prefix)).toBe(false);
    for (const page of PORTAL_PATHS.exact) expect(isApiPath(page)).toBe(false);
  });
});
