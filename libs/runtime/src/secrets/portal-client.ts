/**
 * The portal as an OAuth client: the first-party public client (authorization code + PKCE,
 * consent skipped, no refresh tokens) the token service registers at start. The portal is
 * served at the issuer's own origin, so its redirect URIs are the issuer's pages. The portal's
 * own copy of these values is apps/portal/src/auth/portal-client.ts (a browser app imports no
 * Node library).
 */
export const PORTAL_CLIENT_ID = 'tessera-portal';

const origin = (issuer: string) => issuer.replace(/\/$/, '');

/** Where the authorization server sends the browser back with a code. */
export const portalRedirectUri = (issuer: string) => `${origin(issuer)}/callback`;

/** Where RP-initiated logout sends the browser afterwards. */
export const portalPostLogoutRedirectUri = (issuer: string) => `${origin(issuer)}/signed-out`;
