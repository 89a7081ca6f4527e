import { z } from 'zod';
import { trustedProxiesSetting } from '@tessera/runtime';

const flag = (fallback: 'true' | 'false') =>
  z
    .enum(['true', 'false'])
    .default(fallback)
    .transform((v) => v === 'true');

export const authServiceConfigSchema = z.object({
  /** The bootstrap administrator; without both, the embedded platform generates a password file. */
  TESSERA_ADMIN_EMAIL: z.email().optional(),
  TESSERA_ADMIN_PASSWORD: z.string().min(8, 'must be at least 8 characters').max(256).optional(),
  /** Whether people may create their own accounts. */
  TESSERA_SIGNUP: z.enum(['open', 'off']).default('open'),
  /** Where the token service's internal API answers; default: this platform's internal listener. */
  TESSERA_TOKEN_SERVICE_INTERNAL_URL: z.url().optional(),
  /** Login sessions: with "remember me" (seconds), and without it (ends with the browser, and at most this long). */
  TESSERA_LOGIN_SESSION_TTL: z.coerce.number().int().min(300).max(31_536_000).default(2_592_000),
  TESSERA_BROWSER_SESSION_TTL: z.coerce.number().int().min(300).max(604_800).default(43_200),
  TESSERA_TRUSTED_PROXIES: trustedProxiesSetting,
  /** Outbound mail: SMTP when set (smtp:// or smtps://), else files under mail/ in the data dir. */
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL')
    .optional(),
  TESSERA_MAIL_FROM: z.string().default('Tessera <no-reply@localhost>'),
  /** Tests only: let upstream IdP discovery reach loopback over http. */
  TESSERA_UPSTREAM_ALLOW_PRIVATE: flag('false'),
});

export type AuthServiceEnv = z.infer<typeof authServiceConfigSchema>;

export interface AuthServiceConfig {
  issuer: string;
  /** Cookies get `Secure` when the public origin is https. */
  secureCookies: boolean;
  dataDir: string;
  adminEmail?: string;
  adminPassword?: string;
  signup: boolean;
  tokenServiceUrl?: string;
  loginSessionTtl: number;
  browserSessionTtl: number;
  trustedProxies: string[];
  smtpUrl?: string;
  mailFrom: string;
  upstreamAllowPrivate: boolean;
  /** A sensitive account change needs an authentication at most this old (seconds), else the current password. */
  recentAuthWindow: number;
}

export const AUTH_SERVICE_CONFIG = Symbol.for('tessera.auth-service.config');

export function toAuthServiceConfig(env: AuthServiceEnv, issuer: string, dataDir: string): AuthServiceConfig {
  return {
    issuer,
    secureCookies: issuer.startsWith('https://'),
    dataDir,
    adminEmail: env.TESSERA_ADMIN_EMAIL,
    adminPassword: env.TESSERA_ADMIN_PASSWORD,
    signup: env.TESSERA_SIGNUP === 'open',
    tokenServiceUrl: env.TESSERA_TOKEN_SERVICE_INTERNAL_URL,
    loginSessionTtl: env.TESSERA_LOGIN_SESSION_TTL,
    browserSessionTtl: env.TESSERA_BROWSER_SESSION_TTL,
    trustedProxies: env.TESSERA_TRUSTED_PROXIES,
    smtpUrl: env.SMTP_URL,
    mailFrom: env.TESSERA_MAIL_FROM,
    upstreamAllowPrivate: env.TESSERA_UPSTREAM_ALLOW_PRIVATE,
    recentAuthWindow: 300,
  };
}
