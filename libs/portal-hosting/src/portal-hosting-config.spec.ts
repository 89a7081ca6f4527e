import { parseEnv } from '@tessera/runtime';
import { portalDir, portalHostingConfigSchema } from './portal-hosting-config';

describe('TESSERA_PORTAL_DIR', () => {
  it('defaults to portal beside the platform bundle (dist/apps/portal next to dist/apps/platform)', () => {
    const [env] = parseEnv({}, portalHostingConfigSchema);
    expect(portalDir(env, '/opt/tessera/dist/apps/platform')).toBe('/opt/tessera/dist/apps/portal');
  });

  it('takes an absolute directory as it is, and a relative one from the working directory', () => {
    expect(portalDir({ TESSERA_PORTAL_DIR: '/srv/portal' }, '/x')).toBe('/srv/portal');
    expect(portalDir({ TESSERA_PORTAL_DIR: 'build/portal' }, '/x', '/home/me/tessera')).toBe('/home/me/tessera/build/portal');
  });

  it('is validated with the other settings', () => {
    const [env] = parseEnv({ TESSERA_PORTAL_DIR: '/srv/portal' }, portalHostingConfigSchema);
    expect(env.TESSERA_PORTAL_DIR).toBe('/srv/portal');
  });
});
