import { randomFillSync } from 'node:crypto';

const POOL_SIZE = 4096;
let pool = Buffer.alloc(0);
let offset = 0;

/**
 * Bytes from the operating system's CSPRNG, fetched in 4 KiB blocks: the token endpoint needs a
 * few dozen random bytes per request, and one system call per value cost more than the rest of
 * the token's construction. Every byte is handed out once; a returned buffer is a copy.
 */
export function secureRandomBytes(size: number): Buffer {
  if (size > POOL_SIZE) return randomFillSync(Buffer.allocUnsafe(size));
  if (offset + size > pool.length) {
    pool = randomFillSync(Buffer.allocUnsafe(POOL_SIZE));
    offset = 0;
  }
  const out = Buffer.from(pool.subarray(offset, offset + size));
  // Consumed bytes are wiped from the pool so a later heap dump cannot replay them.
  pool.fill(0, offset, offset + size);
  offset += size;
  return out;
}

/** A random identifier (jti, sid, ...): `bytes` of entropy, base64url. */
export const randomId = (bytes = 16) => secureRandomBytes(bytes).toString('base64url');
