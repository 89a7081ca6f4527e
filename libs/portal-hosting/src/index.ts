export { PortalHostingModule, type PortalHostingOptions } from './portal-hosting.module';
export { portalHostingConfigSchema, portalDir, type PortalHostingEnv } from './portal-hosting-config';
export { PORTAL_PATHS, API_PATH_PREFIXES, isPortalPage, isApiPath } from './portal-paths';
export { PORTAL_SECURITY_HEADERS } from './security-headers';
export { PORTAL_BUILD_COMMAND } from './unavailable-page';
