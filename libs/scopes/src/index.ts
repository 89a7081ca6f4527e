export { type ClaimType, type ScopeDefinition, type StandardClaim, STANDARD_CLAIM_TYPES, STANDARD_SCOPES, PROTOCOL_CLAIM_NAMES } from './standard-claims';
export { type CustomScopeDefinition, type ScopeRegistryOptions, ScopeRegistry, ScopeRegistryConfigError } from './scope-registry';
export { type ClaimName, splitClaimName, isLanguageTag } from './claim-name';
export {
  type ClaimRequest,
  type ClaimRequestMember,
  type ClaimsRequest,
  type ClaimsRequestTarget,
  type JsonValue,
  type RequestedAcr,
  MAX_CLAIMS_REQUEST_BYTES,
  MAX_CLAIMS_REQUEST_ENTRIES,
  MAX_CLAIM_VALUES,
  parseClaimsRequest,
  validateClaimsRequest,
  claimsRequestedNames,
  requestedAcr,
  essentialAcrValues,
} from './claims-request';
export { type ReleaseClaimsInput, releaseClaims } from './release-claims';
export { type ConsentScope, scopesNeedingConsent, describeScopes } from './consent';
export { ADMIN_READ_SCOPE, ADMIN_WRITE_SCOPE, ADMIN_API_PATH, adminApiResource, ACCOUNT_SCOPE, ACCOUNT_API_PATH, accountApiResource } from './admin-api';
