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
export { orderedRandomId, uuidV7 } from './time-ordered';
export { leftHalfHash } from './oidc-hashes';
export { pairwiseSubject, sectorIdentifierOf, type PairwiseSubjectInput } from './pairwise-subject';
export {
  IdTokenHintError,
  buildIdTokenClaims,
  issueIdToken,
  verifyIdTokenHint,
  type IdTokenClaims,
  type IdTokenClaimsInput,
  type IdTokenHintRejection,
  type VerifiedIdTokenHint,
  type VerifyIdTokenHintOptions,
} from './id-token';
export {
  RequestObjectError,
  verifyRequestObject,
  type RequestObjectRejection,
  type VerifyRequestObjectOptions,
} from './request-object';
