import { randomId, type JwsSigner } from '@tessera/token-formats';

/** The JOSE `typ` of a logout token (OpenID Connect Back-Channel Logout 1.0 §2.4). */
export const LOGOUT_TOKEN_TYP = 'logout+jwt';

/** The member of the `events` claim that makes a JWT a logout token (§2.4). */
export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/** Logout tokens are used at once by the client: two minutes cover clock skew and a slow network. */
export const LOGOUT_TOKEN_TTL = 120;

export interface LogoutTokenInput {
  issuer: string;
  /** The client's id: the one audience. */
  audience: string;
  /** The subject the client knows (public or pairwise). */
  sub?: string;
  /** The session id the client knows (as in its ID tokens). */
  sid?: string;
  issuedAt: number;
  expiresIn?: number;
  jti?: string;
}

export interface LogoutTokenClaims {
  iss: string;
  aud: string;
  iat: number;
  exp: number;
  jti: string;
  events: { [BACKCHANNEL_LOGOUT_EVENT]: Record<string, never> };
  sub?: string;
  sid?: string;
}

/**
 * The claims of a logout token (§2.4): `iss`, `aud`, `iat`, `exp`, a unique `jti`, the `events`
 * claim, and `sub` and/or `sid`. Never a `nonce` (§2.4 forbids it, so that a logout token cannot
 * pass for an ID token).
 */
export function buildLogoutTokenClaims(input: LogoutTokenInput): LogoutTokenClaims {
  if (input.sub === undefined && input.sid === undefined) {
    throw new TypeError('A logout token names a subject (sub), a session (sid), or both');
  }
  return {
    iss: input.issuer,
    aud: input.audience,
    iat: input.issuedAt,
    exp: input.issuedAt + (input.expiresIn ?? LOGOUT_TOKEN_TTL),
    jti: input.jti ?? randomId(),
    events: { [BACKCHANNEL_LOGOUT_EVENT]: {} },
    ...(input.sub === undefined ? {} : { sub: input.sub }),
    ...(input.sid === undefined ? {} : { sid: input.sid }),
  };
}

/** A signed logout token: the claims under `typ: logout+jwt`, with the key the client's ID tokens use. */
export function issueLogoutToken(signer: JwsSigner, claims: LogoutTokenClaims): string {
  return signer.sign(claims, { typ: LOGOUT_TOKEN_TYP });
}
