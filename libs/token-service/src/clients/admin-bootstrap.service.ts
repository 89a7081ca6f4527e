import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { InvalidClientMetadataError } from '@tessera/oauth-errors';
import type { Logger } from 'pino';
import { CLI_CLIENT_ID, CLI_SECRET_FILE, ensureSecretFile, LOGGER, PLATFORM_CONFIG, randomSecret, type PlatformConfig } from '@tessera/runtime';
import { ACCOUNT_SCOPE, accountApiResource, ADMIN_READ_SCOPE, ADMIN_WRITE_SCOPE, adminApiResource } from '@tessera/scopes';
import { TOKEN_SERVICE_CONFIG, type TokenServiceConfig } from '../config/token-service-config';
import { ResourceServersService } from '../resources/resource-servers.service';
import { editableMetadata } from './built-in-clients';
import { clientMetadataView } from './client-metadata';
import { ClientsService } from './clients.service';
import { ADMIN_TOKEN_MAX_TTL } from './admin-scopes';

/** tessera-cli's registration: an admin client of client_credentials only, for the admin API. */
export function cliClientMetadata(adminApiAudience: string): Record<string, unknown> {
  return {
    client_id: CLI_CLIENT_ID,
    client_name: 'Tessera CLI',
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: ['client_credentials'],
    allowed_scopes: [ADMIN_READ_SCOPE, ADMIN_WRITE_SCOPE],
    admin: true,
    default_audience: [adminApiAudience],
    access_token_ttl: ADMIN_TOKEN_MAX_TTL,
  };
}

/**
 * What administration needs before anyone can administer: the admin API and the account API
 * registered as resource servers (their `aud`, their scopes), and the `tessera-cli` admin client the CLI and
 * automation sign in with (client_credentials), its secret from TESSERA_CLI_SECRET or a 0600
 * file in the data directory, set again at every start. Idempotent across restarts and replicas
 * starting at once.
 */
@Injectable()
export class AdminBootstrapService implements OnModuleInit {
  constructor(
    private readonly clients: ClientsService,
    private readonly resourceServers: ResourceServersService,
    @Inject(TOKEN_SERVICE_CONFIG) private readonly config: TokenServiceConfig,
    @Inject(PLATFORM_CONFIG) private readonly platform: PlatformConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onModuleInit() {
    const audience = adminApiResource(this.config.issuer);
    await this.ensureResourceServer(audience, 'Tessera admin API', [ADMIN_READ_SCOPE, ADMIN_WRITE_SCOPE]);
    await this.ensureResourceServer(accountApiResource(this.config.issuer), 'Tessera account API', [ACCOUNT_SCOPE]);
    await this.once(async () => {
      if (await this.clients.find(CLI_CLIENT_ID)) return;
      await this.clients.create(cliClientMetadata(audience), 'managed', { builtIn: true });
    });
    await this.reapplyCliClient(audience);
    await this.clients.setSecret(CLI_CLIENT_ID, this.cliSecret());
  }

  /**
   * Every start puts back tessera-cli's fixed settings (an admin client of client_credentials only,
   * authenticated with its secret, admin scopes for the admin API) and turns it on again, keeping
   * what an administrator may change (BUILT_IN_EDITABLE_FIELDS); what it corrected is logged at
   * info. A failure fails the start: the settings are constant, so only the database can refuse.
   */
  private async reapplyCliClient(audience: string) {
    const existing = await this.clients.get(CLI_CLIENT_ID);
    const metadata = { ...cliClientMetadata(audience), ...editableMetadata(clientMetadataView(existing, { policy: true })) };
    const { corrected, previous, enabled } = await this.clients.applyBuiltIn(CLI_CLIENT_ID, metadata);
    if (corrected.length === 0 && !enabled) return;
    this.logger.info(
      { clientId: CLI_CLIENT_ID, corrected, previous, ...(enabled ? { enabled } : {}) },
      "put back the tessera-cli client's fixed settings (only its name, lifetimes and sign-in requirements may be changed)",
    );
  }

  private ensureResourceServer(identifier: string, name: string, scopes: string[]) {
    return this.once(async () => {
      if ((await this.resourceServers.list()).some((rs) => rs.identifier === identifier)) return;
      await this.resourceServers.register({ identifier, name, scopes });
    });
  }

  private cliSecret(): string {
    if (this.config.cliSecret) return this.config.cliSecret;
    const file = ensureSecretFile(this.platform.dataDir, CLI_SECRET_FILE, () => `tsr_cs_${randomSecret(32)}`);
    if (file.created) this.logger.info({ path: file.path }, 'generated the tessera-cli client secret');
    return file.value;
  }

  /** A replica starting at the same moment may create it first: "already exists" is success. */
  private async once(step: () => Promise<void>) {
    try {
      await step();
    } catch (err) {
      if (!(err instanceof InvalidClientMetadataError && /already exists/.test(err.message))) throw err;
    }
  }
}
