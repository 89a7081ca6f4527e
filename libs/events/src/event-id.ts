import { uuidV7 } from '@tessera/token-formats';

/**
 * A new event id: a UUIDv7 (RFC 9562) whose 12-bit rand_a field is a counter, so ids sort in
 * creation order, even for events created in the same millisecond, and the relay can send "oldest
 * first" by primary key alone. The clock stepping back never makes ids go backwards.
 */
export function newEventId(): string {
  return uuidV7();
}
