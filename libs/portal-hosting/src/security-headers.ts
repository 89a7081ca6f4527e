/**
 * The headers of every portal response (pages, assets, the not-found and unavailable pages).
 * The build has no inline script or style (vite.config.mts: assetsInlineLimit 0, no module
 * preload polyfill), so the policy allows only the origin's own files; images may also come
 * from https (client logos) and data: URIs (QR codes). Nothing may frame the portal, and no
 * page leaks its URL (challenges, codes) in a Referer.
 */
export const PORTAL_SECURITY_HEADERS = {
  'content-security-policy': [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: https:",
    "font-src 'self'",
    "connect-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "object-src 'none'",
  ].join('; '),
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'cross-origin-opener-policy': 'same-origin',
} as const;
