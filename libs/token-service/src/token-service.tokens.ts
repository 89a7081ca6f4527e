/** The platform's internal secret, from which each internal caller's credential derives. */
export const INTERNAL_SECRET = Symbol.for('tessera.internal-secret');

/** The scope and claim registry (`@tessera/scopes`): standard OpenID scopes plus configured ones. */
export const SCOPE_REGISTRY = Symbol.for('tessera.token-service.scope-registry');

/** The one outbound HTTP client (request_uri, sector_identifier_uri): SSRF rules in @tessera/runtime. */
export const OUTBOUND_HTTP = Symbol.for('tessera.token-service.outbound-http');
