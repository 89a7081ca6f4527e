/**
 * The portal as an OAuth client: the first-party public client the platform registers on its
 * first start (`tessera-portal`, authorization code + PKCE, consent skipped), at the issuer's
 * own origin, which is where the portal is served.
 */
export const PORTAL_CLIENT_ID = 'tessera-portal';

export const issuerOrigin = () => window.location.origin;
export const redirectUri = () => `${issuerOrigin()}/callback`;
export const postLogoutRedirectUri = () => `${issuerOrigin()}/signed-out`;

export type TokenPurpose = 'account' | 'admin';

/**
 * What each token is for. The account token is addressed to the account API (the token
 * service does that for `account`-scoped requests); the admin token is asked for only when an
 * admin opens the console, to the admin API, and lives at most five minutes without refresh.
 */
export const PURPOSES: Record<TokenPurpose, { scope: string; resource?: () => string }> = {
  account: { scope: 'openid profile email account' },
  admin: { scope: 'openid email admin:read admin:write', resource: () => `${issuerOrigin()}/admin/api` },
};
