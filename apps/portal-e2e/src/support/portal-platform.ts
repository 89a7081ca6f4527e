import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Mailbox, startPlatformProcess, type PlatformOptions, type RunningPlatform } from '@tessera/test-kit';

export interface PortalPlatform extends RunningPlatform {
  /** The mails it delivered into its data directory (the embedded default, no SMTP_URL). */
  mailbox: Mailbox;
  /** The first administrator's generated password (`admin@tessera.localhost`, embedded default). */
  adminPassword(): string;
  /** Creates a user with a verified email through the internal API (as the CLI would). */
  createUser(user: { email: string; password: string; name?: string; roles?: string[] }): Promise<{ sub: string }>;
}

export const ADMIN_EMAIL = 'admin@tessera.localhost';

/**
 * The built platform (dist/apps/platform) serving the built portal (dist/apps/portal) at its
 * issuer, on `localhost` so that passkeys work (a WebAuthn RP id is a domain, not an IP).
 */
export async function startPortalPlatform(options: PlatformOptions = {}): Promise<PortalPlatform> {
  const platform = await startPlatformProcess({ issuerHost: 'localhost', ...options, env: { TESSERA_SIGNUP: 'open', ...options.env } });
  return {
    ...platform,
    mailbox: Mailbox.inDataDir(platform.dataDir),
    adminPassword: () => readFileSync(join(platform.dataDir, 'admin-password'), 'utf8').trim(),
    async createUser(user) {
      const created = await platform.internal<{ sub: string }>('POST', '/internal/users', {
        email: user.email,
        password: user.password,
        email_verified: true,
        claims: user.name ? { name: user.name } : undefined,
        roles: user.roles,
      });
      if (created.status !== 201) throw new Error(`user creation failed: ${created.status} ${JSON.stringify(created.body)}`);
      return created.body;
    },
  };
}
