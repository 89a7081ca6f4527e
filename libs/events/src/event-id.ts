import { randomInt } from 'node:crypto';
import { secureRandomBytes } from '@tessera/token-formats';

let lastMs = 0;
let counter = 0;

/**
 * A UUIDv7 (RFC 9562) whose 12-bit rand_a field is a counter (its "method 1"): ids sort in
 * creation order, even for events created in the same millisecond, so the relay can send
 * "oldest first" by primary key alone. The clock stepping back never makes ids go backwards.
 */
export function newEventId(): string {
  const now = Date.now();
  if (now > lastMs) {
    lastMs = now;
    // A random start within the lower half leaves room to count up within the millisecond.
    counter = randomInt(0, 0x800);
  } else if (++counter > 0xfff) {
    lastMs++;
    counter = 0;
  }
  const bytes = secureRandomBytes(16);
  bytes.writeUIntBE(lastMs, 0, 6);
  bytes[6] = 0x70 | (counter >> 8);
  bytes[7] = counter & 0xff;
  bytes[8] = 0x80 | (bytes[8] & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
