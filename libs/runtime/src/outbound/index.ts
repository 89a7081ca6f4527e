export { OutboundHttpClient } from './outbound-http-client';
export type { OutboundFetch, OutboundHttpClientOptions, OutboundRequestOptions, OutboundResponse } from './outbound-http-client';
export { OutboundHttpError, type OutboundHttpErrorReason } from './outbound-http-error';
export { blockedAddressReason, isPublicAddress } from './address-policy';
