const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ENTITIES[c]);

/** The page shown when an authorization error cannot be sent to a verified redirect URI. */
export function errorPage(error: string, description: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign-in error</title><meta name="viewport" content="width=device-width"></head><body><main><h1>This sign-in request cannot continue</h1><p>${escapeHtml(description)}</p><p><code>${escapeHtml(error)}</code></p><p>Go back to the application and try again. If this keeps happening, tell the application's developers.</p></main></body></html>`;
}

export const HTML_SECURITY_HEADERS = {
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
};
