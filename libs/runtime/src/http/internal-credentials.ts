import { createHmac } from 'node:crypto';

/** The services (and the operator's CLI) that may call internal APIs. */
export type InternalCaller = 'token-service' | 'auth-service' | 'admin-api' | 'operator';
export const INTERNAL_CALLERS: readonly InternalCaller[] = ['token-service', 'auth-service', 'admin-api', 'operator'];

/**
 * Each caller's credential is derived from the platform's internal secret, so every service
 * authenticates as itself and each internal endpoint can name the callers it accepts.
 * Sent as `Authorization: Bearer <caller>.<mac>`.
 */
export function internalCredential(secret: string, caller: InternalCaller): string {
  return `${caller}.${createHmac('sha256', secret).update(`tessera-internal:${caller}`).digest('base64url')}`;
}
