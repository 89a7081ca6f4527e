/** The admin API's scopes: reading, and changing (which does not imply reading: ask for both). */
export const ADMIN_READ_SCOPE = 'admin:read';
export const ADMIN_WRITE_SCOPE = 'admin:write';

/** Where the admin API answers on the public origin. */
export const ADMIN_API_PATH = '/admin/api';

/**
 * The admin API's resource identifier (RFC 8707), the `aud` of tokens for it: its URL on the
 * issuer's origin. The token service registers it as a resource server at start-up.
 */
export const adminApiResource = (issuer: string) => `${issuer.replace(/\/$/, '')}${ADMIN_API_PATH}`;
