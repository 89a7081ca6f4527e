const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ENTITIES[c]);

/**
 * The token service's own pages (errors, logout), without script, in the portal's look: the
 * portal's stylesheet `/theme.css` is served at the same public origin (by the platform, or the
 * static server in front of a distributed deployment), and its card layout classes apply.
 */
export function htmlPage(title: string, body: string, head = ''): string {
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)} · Tessera</title>` +
    `<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="color-scheme" content="light dark">` +
    `<link rel="stylesheet" href="/theme.css">${head}</head>` +
    `<body><div class="auth-layout"><header class="auth-header"><span class="brand"><span class="brand-mark" aria-hidden="true"></span>Tessera</span></header>` +
    `<main id="main" class="auth-card">${body}</main></div></body></html>`
  );
}

/** The page shown when an authorization error cannot be sent to a verified redirect URI. */
export function errorPage(error: string, description: string): string {
  return htmlPage(
    'Sign-in error',
    `<h1 class="page-title">This sign-in request cannot continue</h1><div class="alert alert-error" role="alert"><p>${escapeHtml(description)}</p></div>` +
      `<p class="muted">Error code: <code>${escapeHtml(error)}</code></p><p>Go back to the application and try again. If this keeps happening, tell the application's developers.</p>`,
  );
}

export const HTML_SECURITY_HEADERS = {
  'content-security-policy': "default-src 'none'; style-src 'self'; img-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
};
