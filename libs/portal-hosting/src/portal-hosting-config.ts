import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';

/** The platform's setting for the portal build (validated with every other setting at start). */
export const portalHostingConfigSchema = z.object({
  /**
   * The portal's build directory (index.html, favicon.svg, assets/). Default: `portal` beside the
   * platform's own build directory, i.e. dist/apps/portal next to dist/apps/platform/main.js.
   */
  TESSERA_PORTAL_DIR: z.string().min(1).optional(),
});

export type PortalHostingEnv = z.infer<typeof portalHostingConfigSchema>;

/** The directory to serve: TESSERA_PORTAL_DIR (relative to the working directory), else `<mainDir>/../portal`. */
export function portalDir(env: PortalHostingEnv, mainDir: string, cwd = process.cwd()): string {
  const configured = env.TESSERA_PORTAL_DIR;
  if (configured === undefined) return resolve(mainDir, '..', 'portal');
  return isAbsolute(configured) ? configured : resolve(cwd, configured);
}
