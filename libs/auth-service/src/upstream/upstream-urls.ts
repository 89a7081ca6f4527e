/**
 * The URLs of the upstream flows, all on the public origin. One redirect URI per provider, so
 * that a response can only come back to the provider it was sent to (a mix-up defence that
 * holds even for a provider that does not send `iss`, RFC 9207 §2.4 / RFC 9700 §4.4.2).
 */
export const upstreamUrls = (issuer: string) => {
  const base = issuer.replace(/\/$/, '');
  return {
    start: (idp: string) => `${base}/auth/upstream/${encodeURIComponent(idp)}/start`,
    callback: (idp: string) => `${base}/auth/upstream/${encodeURIComponent(idp)}/callback`,
    /** The portal's login page, back to the login challenge with what happened (`link=required`, `upstream_error=…`). */
    loginPage: (loginChallenge: string, params: Record<string, string> = {}) => `${base}/login?${new URLSearchParams({ login_challenge: loginChallenge, ...params })}`,
    /** The portal's account page, after a link started there. */
    accountPage: (params: Record<string, string>) => `${base}/account?${new URLSearchParams(params)}`,
  };
};
