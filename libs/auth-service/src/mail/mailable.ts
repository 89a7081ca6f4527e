import { EVENTS } from '@tessera/events';
import { FlowError } from '../http/flow-error';

const recipient = EVENTS['mail.requested'].schema.shape.to;

/** True when a mail can be addressed to `email` (the `mail.requested` event's own rule). */
export const isMailable = (email: string): boolean => recipient.safeParse(email).success;

/** Refuses, with a clear 400, an address our mail cannot be sent to (before anything is created for it). */
export function assertMailable(email: string): void {
  if (!isMailable(email)) throw new FlowError('invalid_request', 'Mail cannot be sent to this address; use another one.');
}

/** `jane.doe@example.com` → `j***@example.com`: enough for its owner to recognise, little for anyone else. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  return at > 0 ? `${email[0]}***${email.slice(at)}` : '***';
}
