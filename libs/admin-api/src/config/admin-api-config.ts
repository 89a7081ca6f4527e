import { trustedProxiesSetting } from '@tessera/runtime';
import { z } from 'zod';

export const adminApiConfigSchema = z.object({
  /** Where the token service's internal API answers; default: this platform's internal listener. */
  TESSERA_TOKEN_SERVICE_INTERNAL_URL: z.url().optional(),
  /** Where the authentication service's internal API answers; default: this platform's internal listener. */
  TESSERA_AUTH_SERVICE_INTERNAL_URL: z.url().optional(),
  /** How long audit entries are kept (days); older ones are deleted in bounded batches. */
  TESSERA_AUDIT_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(400),
  TESSERA_TRUSTED_PROXIES: trustedProxiesSetting,
});

export type AdminApiEnv = z.infer<typeof adminApiConfigSchema>;

export interface AdminApiConfig {
  issuer: string;
  tokenServiceUrl: string;
  authServiceUrl: string;
  auditRetentionDays: number;
  trustedProxies: string[];
}
