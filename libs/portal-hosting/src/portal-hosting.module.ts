import { Module, type DynamicModule } from '@nestjs/common';
import type { Logger } from 'pino';
import { LOGGER } from '@tessera/runtime';
import { loadPortalBuild, type PortalBuild } from './portal-build';
import { PORTAL_BUILD, PortalController } from './portal.controller';
import { PORTAL_BUILD_COMMAND } from './unavailable-page';

export interface PortalHostingOptions {
  /** The portal's build directory (see portalDir()). */
  dir: string;
}

/**
 * Serves the portal's build at the public origin (the embedded platform; nginx does it in
 * distributed mode). The build is read into memory once, at start: restart the platform after
 * rebuilding the portal. Without a build the platform starts anyway, warns once, and answers
 * the portal's pages with a 503 page that says how to build it.
 */
@Module({})
export class PortalHostingModule {
  static forRoot(options: PortalHostingOptions): DynamicModule {
    return {
      module: PortalHostingModule,
      controllers: [PortalController],
      providers: [
        {
          provide: PORTAL_BUILD,
          inject: [LOGGER],
          useFactory: async (logger: Logger): Promise<PortalBuild> => {
            const build = await loadPortalBuild(options.dir);
            if (build.index) {
              logger.info({ dir: build.dir, files: build.files.size + 1 }, 'serving the portal build');
              void build.compressed.then(() => logger.debug({ dir: build.dir }, 'the portal build is brotli-compressed too'));
            } else {
              logger.warn(
                { dir: build.dir },
                `no portal build in ${build.dir} (no index.html): the portal's pages answer 503 until it is built with \`${PORTAL_BUILD_COMMAND}\` and the platform restarted`,
              );
            }
            return build;
          },
        },
      ],
    };
  }
}
