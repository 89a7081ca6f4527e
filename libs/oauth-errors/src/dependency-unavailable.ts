/**
 * Error codes of a dependency that cannot be reached right now: the socket errors of a database,
 * Redis or a peer service, and PostgreSQL's "shutting down / starting up / in recovery" and
 * connection-exception classes (SQLSTATE 57P01-57P03, class 08).
 */
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'EAI_AGAIN', '57P01', '57P02', '57P03']);
/** What node-postgres and ioredis say when a connection dies or cannot be had, without a code. */
const UNAVAILABLE_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection is closed|Cannot use a pool after calling end/i;

/**
 * True when `err` (or what it wraps: TypeORM's `driverError`, an Error's `cause`) says a
 * dependency is unreachable rather than that the request or the code is wrong. Such a failure is
 * answered 503 `temporarily_unavailable`, which tells a client to try again, not 500.
 */
export function isDependencyUnavailable(err: unknown): boolean {
  let current: unknown = err;
  for (let depth = 0; current && typeof current === 'object' && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && (UNAVAILABLE_CODES.has(code) || /^08[0-9A-Z]{3}$/.test(code))) return true;
    if (current instanceof Error && UNAVAILABLE_MESSAGES.test(current.message)) return true;
    current = (current as { driverError?: unknown }).driverError ?? (current as { cause?: unknown }).cause;
  }
  return false;
}

export const TEMPORARILY_UNAVAILABLE_DESCRIPTION = 'The service is temporarily unavailable. Try again in a moment.';
