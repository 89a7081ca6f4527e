import { FlowError } from '../http/flow-error';

/** Addresses are compared and stored lower-cased and trimmed; the local part is kept otherwise as typed. */
export function normalizeEmail(input: unknown): string {
  if (typeof input !== 'string') throw new FlowError('invalid_request', 'email must be a string.');
  const email = input.trim().toLowerCase();
  // A pragmatic check (RFC 5321 lengths, one @, a dot in the domain); the verification mail proves the rest.
  if (email.length > 254 || /\p{Cc}/u.test(email) || !/^[^\s@]{1,64}@[^\s@]+\.[^\s@]+$/.test(email)) throw new FlowError('invalid_request', 'email must be an email address.');
  return email;
}
