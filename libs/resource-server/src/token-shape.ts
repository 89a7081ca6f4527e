import { TOKEN_PREFIXES } from '@tessera/token-formats';

/** Longer values are refused before any parsing or network call (Tessera's tokens are a few hundred bytes). */
export const MAX_TOKEN_LENGTH = 8 * 1024;

// A compact JWS: three base64url segments. The signature segment may be empty so that an
// unsecured JWT (`alg: none`) reaches the JWT verifier and is refused there for its algorithm.
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

// What the token service issues by reference: `tsr_at_`, 16 hex digits of creation time and 256
// random bits in base64url (earlier releases: without the time part; libs/token-formats
// reference-token.ts). Refresh tokens (`tsr_rt_`) and other opaque
// values are not access tokens, so they are never sent to introspection.
const REFERENCE_SHAPE = new RegExp(`^${TOKEN_PREFIXES.access_token}[A-Za-z0-9_-]+$`);

export type TokenShape = 'jwt' | 'reference' | 'unknown';

/** Which way a bearer token is checked, from its shape alone (nothing here says it is valid). */
export function shapeOf(token: string): TokenShape {
  if (JWT_SHAPE.test(token)) return 'jwt';
  if (REFERENCE_SHAPE.test(token)) return 'reference';
  return 'unknown';
}
