/** The command that builds the portal into dist/apps/portal. */
export const PORTAL_BUILD_COMMAND = 'npx nx run portal:build';

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The page a portal page gets when the platform found no build at start (503). It says what the
 * log says: where the build was expected and how to make it. No inline style or script: the
 * portal's Content-Security-Policy applies to it too.
 */
export function unavailablePage(dir: string): string {
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Tessera portal unavailable</title>
  </head>
  <body>
    <h1>The portal is not available</h1>
    <p>This platform found no portal build in <code>${escapeHtml(dir)}</code> when it started.</p>
    <p>Build it with <code>${PORTAL_BUILD_COMMAND}</code> (or set <code>TESSERA_PORTAL_DIR</code> to the build directory), then restart the platform.</p>
  </body>
</html>
`;
}
