import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';

/**
 * The settings every Tessera process reads from its environment. Each service adds its own
 * (see its config/ folder); all are validated together so that one message lists every bad key.
 */
const port = z.coerce.number().int().min(0).max(65535);

export const platformConfigSchema = z.object({
  TESSERA_ISSUER: z
    .string()
    .optional()
    .refine((v) => v === undefined || isOrigin(v), {
      message: 'must be an origin: scheme, host and optional port, no path, query or fragment (e.g. https://id.example.com)',
    }),
  TESSERA_HOST: z.string().min(1).default('127.0.0.1'),
  TESSERA_PORT: port.default(3000),
  TESSERA_INTERNAL_HOST: z.string().min(1).default('127.0.0.1'),
  TESSERA_INTERNAL_PORT: port.default(3001),
  TESSERA_DATA_DIR: z.string().min(1).default('var'),
  DATABASE_URL: z
    .string()
    .optional()
    .refine((v) => v === undefined || /^postgres(ql)?:\/\//.test(v), { message: 'must be a postgres:// URL' }),
  REDIS_URL: z
    .string()
    .optional()
    .refine((v) => v === undefined || /^rediss?:\/\//.test(v), { message: 'must be a redis:// or rediss:// URL' }),
  TESSERA_MASTER_KEY: z
    .string()
    .optional()
    .refine((v) => v === undefined || Buffer.from(v, 'base64url').length === 32, {
      message: 'must be 32 random bytes, base64url-encoded (43 characters)',
    }),
  TESSERA_MASTER_KEYS_RETIRED: z
    .string()
    .optional()
    .refine((v) => v === undefined || v.split(',').every((k) => Buffer.from(k.trim(), 'base64url').length === 32), {
      message: 'must be a comma-separated list of retired master keys (32 bytes, base64url each)',
    }),
  TESSERA_INTERNAL_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /**
   * Internal secrets still accepted (comma-separated), for a rotation without failed internal
   * calls: credentials derived from them are accepted, never sent (docs/operations.md).
   */
  TESSERA_INTERNAL_SECRETS_RETIRED: z
    .string()
    .optional()
    .refine((v) => v === undefined || v.split(',').every((s) => s.trim().length >= 32), {
      message: 'must be a comma-separated list of retired internal secrets (at least 32 characters each)',
    }),
  /** When set, `GET /metrics` (internal listener) requires `Authorization: Bearer <it>`; unset, it is open there. */
  TESSERA_METRICS_TOKEN: z.string().min(32, 'must be at least 32 characters').optional(),
  TESSERA_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Rows one housekeeping statement deletes at most (expired tokens, challenges, sessions, old audit entries...). */
  TESSERA_HOUSEKEEPING_BATCH: z.coerce.number().int().min(1).max(100_000).default(1000),
});

export type PlatformEnv = z.infer<typeof platformConfigSchema>;

export interface PlatformConfig {
  issuer: string;
  host: string;
  port: number;
  internalHost: string;
  internalPort: number;
  dataDir: string;
  databaseUrl?: string;
  redisUrl?: string;
  masterKey?: string;
  retiredMasterKeys: string[];
  internalSecret?: string;
  /** Internal secrets whose credentials are still accepted (a rotation in progress); never used to send. */
  retiredInternalSecrets: string[];
  /** The bearer token `/metrics` requires, if any. */
  metricsToken?: string;
  logLevel: PlatformEnv['TESSERA_LOG_LEVEL'];
  /** Rows one housekeeping statement deletes at most. */
  housekeepingBatch: number;
}

export function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (
      (url.protocol === 'https:' || url.protocol === 'http:') &&
      url.origin === value.replace(/\/$/, '') &&
      !value.endsWith('/')
    );
  } catch {
    return false;
  }
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Parses the environment against every schema given and throws one ConfigError listing
 * every bad setting (never just the first).
 */
export function parseEnv<S extends z.ZodObject<z.ZodRawShape>[]>(
  env: NodeJS.ProcessEnv,
  ...schemas: S
): { [K in keyof S]: z.infer<S[K]> } {
  const problems: string[] = [];
  const results = schemas.map((schema) => {
    const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
    const parsed = schema.safeParse(cleaned);
    if (parsed.success) return parsed.data;
    for (const issue of parsed.error.issues) {
      const key = issue.path.join('.');
      problems.push(`${key}=${shownValue(key, env[key])}: ${issue.message}`);
    }
    return undefined;
  });
  if (problems.length) throw new ConfigError([...new Set(problems)]);
  return results as { [K in keyof S]: z.infer<S[K]> };
}

/** A config error goes to stderr and log collectors: secret settings and URL passwords never appear in it. */
function shownValue(key: string, value: string | undefined): string {
  if (value && /SECRET|PASSWORD|_TOKEN$|_KEY$|MASTER_KEY/.test(key)) return '(hidden)';
  return JSON.stringify((value ?? '').replace(/^([a-z][a-z0-9+.-]*:\/\/[^/?#@:]*):[^/?#]*@/i, '$1:***@'));
}

export function toPlatformConfig(env: PlatformEnv, cwd = process.cwd()): PlatformConfig {
  const dataDir = isAbsolute(env.TESSERA_DATA_DIR) ? env.TESSERA_DATA_DIR : resolve(cwd, env.TESSERA_DATA_DIR);
  return {
    issuer: env.TESSERA_ISSUER ?? `http://localhost:${env.TESSERA_PORT}`,
    host: env.TESSERA_HOST,
    port: env.TESSERA_PORT,
    internalHost: env.TESSERA_INTERNAL_HOST,
    internalPort: env.TESSERA_INTERNAL_PORT,
    dataDir,
    databaseUrl: env.DATABASE_URL,
    redisUrl: env.REDIS_URL,
    masterKey: env.TESSERA_MASTER_KEY,
    retiredMasterKeys: env.TESSERA_MASTER_KEYS_RETIRED?.split(',').map((k) => k.trim()) ?? [],
    internalSecret: env.TESSERA_INTERNAL_SECRET,
    retiredInternalSecrets: acceptedAlso(env.TESSERA_INTERNAL_SECRET, env.TESSERA_INTERNAL_SECRETS_RETIRED),
    metricsToken: env.TESSERA_METRICS_TOKEN,
    logLevel: env.TESSERA_LOG_LEVEL,
    housekeepingBatch: env.TESSERA_HOUSEKEEPING_BATCH,
  };
}

/** This process's own internal listener, as a peer in the same process (embedded mode) reaches it. */
export function ownInternalUrl(platform: Pick<PlatformConfig, 'internalHost' | 'internalPort'>): string {
  const host = platform.internalHost === '0.0.0.0' || platform.internalHost === '::' ? '127.0.0.1' : platform.internalHost;
  return `http://${host.includes(':') ? `[${host}]` : host}:${platform.internalPort}`;
}

/**
 * The internal secrets accepted besides the current one, never sent: each retired one as given
 * and trimmed, and the current one trimmed. Whitespace around a secret (a newline kept from a
 * file) stays in what a replica sends, so an upgrade changes no credential, while a secret that
 * moves to the retired list, or is set elsewhere without its newline, still matches.
 */
function acceptedAlso(current: string | undefined, retired: string | undefined): string[] {
  const forms = (secret: string) => [secret, secret.trim()];
  const accepted = new Set(retired === undefined ? [] : retired.split(',').flatMap(forms));
  if (current !== undefined) accepted.add(current.trim());
  accepted.delete(current ?? '');
  return [...accepted].filter((secret) => secret.length > 0);
}
