import type { Logger } from 'pino';
import { createLogger } from '@tessera/runtime';

/** The part of the platform's pino logger this library uses. */
export type EventsLogger = Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;

let fallback: EventsLogger | undefined;

/** For use outside Nest (scripts, tests): the platform's JSON logger at `info`. */
export function defaultEventsLogger(): EventsLogger {
  fallback ??= createLogger('info');
  return fallback;
}

export const describeError = (err: unknown): string =>
  err instanceof Error ? `${err.name}: ${err.message}` : String(err);
