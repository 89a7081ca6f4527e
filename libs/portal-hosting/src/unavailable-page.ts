/** The command that builds the portal into dist/apps/portal. */
export const PORTAL_BUILD_COMMAND = 'npx nx run portal:build';

const page = (title: string, body: string) => `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>${title}</title>
  </head>
  <body>
${body}
  </body>
</html>
`;

/**
 * The page a portal page gets when the platform found no build at start (503). Anyone may read
 * it, so it names no path of the server's file system: where the build was expected is in the
 * log only (PortalHostingModule's warning), next to the same command. No inline style or
 * script: the portal's Content-Security-Policy applies to it too.
 */
export function unavailablePage(): string {
  return page(
    'Tessera portal unavailable',
    `    <h1>The portal is not available</h1>
    <p>This platform found no portal build when it started: its log says where it looked.</p>
    <p>Build it with <code>${PORTAL_BUILD_COMMAND}</code> (or set <code>TESSERA_PORTAL_DIR</code> to the build directory), then restart the platform.</p>`,
  );
}

/**
 * What a browser navigating to a path that is no page of the portal gets while there is no build
 * (404): the path does not exist whether or not the portal is built, so it is not a 503.
 */
export function notFoundPage(): string {
  return page(
    'Page not found',
    `    <h1>Page not found</h1>
    <p>There is no page at this address.</p>`,
  );
}
