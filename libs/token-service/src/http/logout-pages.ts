import { escapeHtml, htmlPage, HTML_SECURITY_HEADERS } from './html';

/** How long the signed-out page lets the front-channel iframes load before it moves on. */
export const FRONT_CHANNEL_WAIT_SECONDS = 2;

/**
 * The logout pages are the token service's own, in the portal's look (its /theme.css): no script
 * at all, so the Content-Security-Policy allows none; no framing of them
 * (`frame-ancestors 'none'`); `no-referrer`; never cached.
 */
export function logoutPageHeaders(options: { frameOrigins?: readonly string[]; formTargets?: readonly string[] } = {}): Record<string, string> {
  const csp = ["default-src 'none'", "style-src 'self'", "img-src 'self'", "base-uri 'none'", "frame-ancestors 'none'"];
  if (options.frameOrigins?.length) csp.push(`frame-src ${[...new Set(options.frameOrigins)].join(' ')}`);
  // A form's submission and the redirects answering it are held to form-action: the logout
  // endpoint itself, then the client's post_logout_redirect_uri.
  if (options.formTargets) csp.push(`form-action 'self'${[...new Set(options.formTargets)].map((o) => ` ${o}`).join('')}`);
  return { ...HTML_SECURITY_HEADERS, 'content-security-policy': csp.join('; ') };
}

/**
 * The CSP source that allows `uri`: its origin for http(s), else its scheme (a native client's
 * private-use scheme has an opaque origin, which no source expression can name).
 */
export function cspSourceOf(uri: string): string {
  const url = new URL(uri);
  return url.protocol === 'https:' || url.protocol === 'http:' ? url.origin : url.protocol;
}

/**
 * RP-Initiated Logout 1.0 §2: the OP asks the user whether to log out. The form posts back to
 * the logout endpoint with the one-time confirmation value; the buttons carry the answer.
 */
export function logoutConfirmationPage(options: { action: string; field: string; value: string; clientName?: string }): string {
  const who = options.clientName ? `${escapeHtml(options.clientName)} asked to sign you out.` : 'An application asked to sign you out.';
  return htmlPage(
    'Sign out',
    `<h1 class="page-title">Sign out?</h1><p>${who} Do you want to sign out of your account on this device?</p>` +
      `<form method="post" action="${escapeHtml(options.action)}"><input type="hidden" name="${escapeHtml(options.field)}" value="${escapeHtml(options.value)}">` +
      `<div class="actions"><button class="btn btn-primary" type="submit" name="logout" value="yes">Sign out</button> <button class="btn btn-secondary" type="submit" name="logout" value="no">Stay signed in</button></div></form>`,
  );
}

/**
 * After the logout: the front-channel iframes (Front-Channel Logout 1.0 §3), then on to the
 * client's post_logout_redirect_uri by a meta refresh (no script) and a link, or a final page.
 */
export function signedOutPage(options: { frames: readonly string[]; redirectTo?: string; signedOut: boolean }): string {
  const { frames, redirectTo, signedOut } = options;
  const refresh = redirectTo ? `<meta http-equiv="refresh" content="${FRONT_CHANNEL_WAIT_SECONDS};url=${escapeHtml(redirectTo)}">` : '';
  const iframes = frames.map((src) => `<iframe src="${escapeHtml(src)}" title="Signing out of an application" hidden></iframe>`).join('');
  const message = signedOut ? '<h1 class="page-title">You have signed out</h1>' : '<h1 class="page-title">You are still signed in</h1>';
  const next = redirectTo
    ? `<p><a href="${escapeHtml(redirectTo)}">Continue to the application</a></p>`
    : signedOut
      ? '<p>You can close this window.</p>'
      : '<p>You can go back to the application.</p>';
  return htmlPage(signedOut ? 'Signed out' : 'Still signed in', `${message}${next}${iframes}`, refresh);
}

/** An RP-initiated logout request that cannot be acted on (§4): nothing is redirected to. */
export function logoutErrorPage(error: string, description: string): string {
  return htmlPage(
    'Sign-out error',
    `<h1 class="page-title">This sign-out request cannot continue</h1><div class="alert alert-error" role="alert"><p>${escapeHtml(description)}</p></div><p class="muted">Error code: <code>${escapeHtml(error)}</code></p><p>Go back to the application and try again. If this keeps happening, tell the application's developers.</p>`,
  );
}
