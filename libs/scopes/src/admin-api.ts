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

/** The account API's scope: what the portal holds to let a person manage their own account. */
export const ACCOUNT_SCOPE = 'account';

/** Where the account API answers on the public origin. */
export const ACCOUNT_API_PATH = '/auth/account';

/**
 * The account API's resource identifier, the `aud` of tokens for it. A token asked for with the
 * `account` scope and no `resource` is addressed to it: no other API accepts that scope.
 */
export const accountApiResource = (issuer: string) => `${issuer.replace(/\/$/, '')}${ACCOUNT_API_PATH}`;
