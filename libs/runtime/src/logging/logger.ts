import type { LoggerService } from '@nestjs/common';
import pino, { type Logger } from 'pino';

/**
 * Query and form parameters that protocols put in URLs and bodies: short-lived but usable by
 * whoever reads a log, so they never reach one.
 */
export const REDACTED_PARAMS = [
  'code',
  'code_verifier',
  'client_secret',
  'client_assertion',
  'refresh_token',
  'access_token',
  'id_token',
  'id_token_hint',
  'token',
  'challenge',
  'login_challenge',
  'consent_challenge',
  'logout_challenge',
  'password',
  'state',
  'request',
  // A pushed request's URN stands for the request until used; a remote one may hold a secret path.
  'request_uri',
  // Often the user's email address: personal data has no place in access logs.
  'login_hint',
  'logout_hint',
  'assertion',
];

const redactedKeys = new Set(REDACTED_PARAMS);

/**
 * Paths whose last segments are such values: a sign-in challenge in the internal challenge API
 * (`/internal/challenges/{challenge}`, `…/accept`, `…/reject`).
 */
const REDACTED_PATH = /^(\/internal\/challenges\/)[^/?]+/;

/** Replaces redacted parameter values in a URL or path with `[redacted]`. */
export function redactUrl(url: string): string {
  if (REDACTED_PATH.test(url)) url = url.replace(REDACTED_PATH, '$1[redacted]');
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  let changed = false;
  for (const key of new Set(params.keys())) {
    if (redactedKeys.has(key)) {
      params.set(key, '[redacted]');
      changed = true;
    }
  }
  return changed ? `${url.slice(0, q)}?${params.toString()}` : url;
}

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'tessera' },
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers.cookie',
          'res.headers["set-cookie"]',
          ...REDACTED_PARAMS.map((p) => `*.${p}`),
          ...REDACTED_PARAMS.map((p) => p),
        ],
        censor: '[redacted]',
      },
      serializers: {
        err: pino.stdSerializers.err,
        req: (req: { method?: string; url?: string; id?: string }) => ({
          id: req.id,
          method: req.method,
          url: req.url ? redactUrl(req.url) : undefined,
        }),
      },
    },
    destination ?? pino.destination({ sync: false }),
  );
}

/** Nest's logger interface over pino, so framework messages share the JSON log stream. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}
  log(message: unknown, context?: string) {
    this.logger.info({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string) {
    this.logger.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string) {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string) {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string) {
    this.logger.trace({ context }, String(message));
  }
}
