/** The token service's public paths (ARCHITECTURE.md's URL map). */
export const ENDPOINTS = {
  authorize: '/oauth2/authorize',
  token: '/oauth2/token',
  introspect: '/oauth2/introspect',
  revoke: '/oauth2/revoke',
  jwks: '/oauth2/jwks',
  register: '/oauth2/register',
  userinfo: '/oauth2/userinfo',
  par: '/oauth2/par',
  logout: '/oauth2/logout',
} as const;

export const endpointUrl = (issuer: string, path: keyof typeof ENDPOINTS) => `${issuer}${ENDPOINTS[path]}`;
