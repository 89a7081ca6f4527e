export { SIGNING_ALGS, generateSigningKey, type SigningAlg, type SigningKey } from './signing-key';
export { JwsSigner, type JwsHeaderOptions } from './jws-signer';
export {
  AT_JWT_TYP,
  AccessTokenVerificationError,
  buildAccessTokenClaims,
  issueJwtAccessToken,
  verifyJwtAccessToken,
  type AccessTokenClaimsInput,
  type AccessTokenRejection,
  type JwtAccessTokenClaims,
  type VerifyJwtAccessTokenOptions,
} from './jwt-access-token';
export {
  MIN_SECRET_LENGTH,
  TOKEN_PREFIXES,
  generateReferenceToken,
  hashSecret,
  kindOf,
  safeEqual,
  storageKey,
  verifySecret,
  type ReferenceToken,
  type ReferenceTokenKind,
} from './reference-token';
export { buildJwks, jwkThumbprint, toPublicJwk } from './jwks';
export { randomId, secureRandomBytes } from './secure-random';
