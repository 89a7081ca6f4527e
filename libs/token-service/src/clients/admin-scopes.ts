/** Scopes of the admin API (`admin:read`, `admin:write`): never registrable dynamically, never for just anyone. */
export const isAdminScope = (scope: string) => scope.startsWith('admin:');

/** The role (held at the authentication service) a user needs for tokens with an admin scope. */
export const ADMIN_ROLE = 'admin';

/**
 * Access tokens with an admin scope live at most this long (seconds) and never come with a
 * refresh token: a stolen one is worth little, and the admin console asks again through the SSO
 * session when it needs another.
 */
export const ADMIN_TOKEN_MAX_TTL = 300;
