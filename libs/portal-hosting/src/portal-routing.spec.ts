import type { PortalBuild, PortalFile } from './portal-build';
import { IMMUTABLE, pathOfUrl, REVALIDATE, routePortalRequest, SHORT_LIVED } from './portal-routing';

const file = (path: string): PortalFile => ({ path, contentType: 'text/plain', body: Buffer.from(path), etag: '"e"', encoded: new Map() });
const index = file('/index.html');
const build: PortalBuild = {
  dir: '/srv/portal',
  compressed: Promise.resolve(),
  index,
  files: new Map([
    ['/favicon.svg', file('/favicon.svg')],
    ['/assets/index-abc.js', file('/assets/index-abc.js')],
    // A build file under an API prefix never shadows the API.
    ['/oauth2/jwks', file('/oauth2/jwks')],
  ]),
};
const HTML = 'text/html,*/*;q=0.8';

describe('routePortalRequest', () => {
  it('serves assets as immutable and other files for an hour', () => {
    expect(routePortalRequest('/assets/index-abc.js', undefined, build)).toEqual({ kind: 'file', file: build.files.get('/assets/index-abc.js'), cacheControl: IMMUTABLE });
    expect(routePortalRequest('/favicon.svg', undefined, build)).toEqual({ kind: 'file', file: build.files.get('/favicon.svg'), cacheControl: SHORT_LIVED });
    expect(REVALIDATE).toBe('no-cache');
  });

  it('answers pages with index.html whatever the Accept header', () => {
    expect(routePortalRequest('/login', undefined, build)).toEqual({ kind: 'page', file: index, status: 200 });
    expect(routePortalRequest('/account/apps', 'application/json', build)).toEqual({ kind: 'page', file: index, status: 200 });
  });

  it('answers other paths with the not-found page only for requests that take HTML', () => {
    expect(routePortalRequest('/nowhere', HTML, build)).toEqual({ kind: 'page', file: index, status: 404 });
    expect(routePortalRequest('/nowhere', '*/*', build)).toEqual({ kind: 'none' });
    expect(routePortalRequest('/index.html', HTML, build)).toEqual({ kind: 'page', file: index, status: 404 });
  });

  it('never answers under an API prefix, even for a file of the build or a percent-encoded path', () => {
    for (const path of ['/oauth2/jwks', '/admin/api/nowhere', '/admin/%61pi/nowhere', '/auth/x', '/health', '/internal/x', '/.well-known/x']) {
      expect(routePortalRequest(path, HTML, build)).toEqual({ kind: 'none' });
    }
  });

  it('matches decoded paths against the files in memory only: traversal finds nothing', () => {
    expect(routePortalRequest('/assets/index%2Dabc.js', undefined, build)).toMatchObject({ kind: 'file' });
    for (const path of ['/assets/../../etc/passwd', '/assets/%2e%2e/%2e%2e/etc/passwd', '/assets/..%2F..%2Fetc%2Fpasswd', '/assets/index-abc.js%00']) {
      expect(routePortalRequest(path, undefined, build)).toEqual({ kind: 'none' });
    }
    expect(routePortalRequest('/%E0%A4%A', HTML, build)).toEqual({ kind: 'none' }); // malformed
  });

  it('says unavailable where a page would be, when there is no build', () => {
    const empty: PortalBuild = { dir: '/srv/portal', files: new Map(), compressed: Promise.resolve() };
    expect(routePortalRequest('/login', undefined, empty)).toEqual({ kind: 'unavailable', status: 200 });
    expect(routePortalRequest('/nowhere', HTML, empty)).toEqual({ kind: 'unavailable', status: 404 });
    expect(routePortalRequest('/favicon.svg', undefined, empty)).toEqual({ kind: 'none' });
  });
});

describe('pathOfUrl', () => {
  it.each([
    ['/login?login_challenge=a', '/login'],
    ['/account#x', '/account'],
    ['/', '/'],
    ['/a?b?c', '/a'],
  ])('%s → %s', (url, path) => {
    expect(pathOfUrl(url)).toBe(path);
  });
});
