import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { InvalidClientMetadataError, InvalidRedirectUriError } from '@tessera/oauth-errors';
import type { Logger } from 'pino';
import { LOGGER, PORTAL_CLIENT_ID, portalPostLogoutRedirectUri, portalRedirectUri } from '@tessera/runtime';
import { ACCOUNT_SCOPE, ADMIN_READ_SCOPE, ADMIN_WRITE_SCOPE } from '@tessera/scopes';
import { TOKEN_SERVICE_CONFIG, type TokenServiceConfig } from '../config/token-service-config';
import type { Client } from './client';
import { clientMetadataView } from './client-metadata';
import { ClientsService } from './clients.service';

/**
 * The portal's registration (managed: no registration access token, so RFC 7592 cannot touch
 * it). A public client (PKCE S256, no secret) of the authorization-code grant only, so no
 * refresh tokens: the portal holds its tokens in memory and renews them through the OP session.
 * First-party, so consent is skipped. Its scopes are the account token's and the admin token's;
 * AdminScopePolicy grants admin scopes only to users with the admin role. No default audience:
 * an `account`-scoped token is addressed to the account API by the token service, an admin token
 * names the admin API with `resource`.
 */
export function portalClientMetadata(issuer: string): Record<string, unknown> {
  return {
    client_id: PORTAL_CLIENT_ID,
    client_name: 'Tessera portal',
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code'],
    response_types: ['code'],
    redirect_uris: [portalRedirectUri(issuer)],
    post_logout_redirect_uris: [portalPostLogoutRedirectUri(issuer)],
    allowed_scopes: [
      { scope: 'openid', required: true },
      { scope: 'profile', required: false },
      { scope: 'email', required: false },
      { scope: ACCOUNT_SCOPE, required: false },
      { scope: ADMIN_READ_SCOPE, required: false },
      { scope: ADMIN_WRITE_SCOPE, required: false },
    ],
    require_pkce: true,
    refresh_tokens: false,
    first_party: true,
  };
}

/**
 * Registers the portal client on the first start. On later starts, when the issuer changed
 * (its redirect URIs are not the current issuer's), the redirect URIs follow it; the other
 * settings are kept as they are, so an administrator's changes (token lifetime, MFA policy)
 * survive restarts. Idempotent across restarts and replicas starting at once.
 */
@Injectable()
export class PortalBootstrapService implements OnModuleInit {
  constructor(
    private readonly clients: ClientsService,
    @Inject(TOKEN_SERVICE_CONFIG) private readonly config: TokenServiceConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onModuleInit() {
    const issuer = this.config.issuer;
    try {
      const existing = await this.clients.find(PORTAL_CLIENT_ID);
      if (!existing) {
        await this.create(issuer);
      } else if (!followsIssuer(existing, issuer)) {
        await this.followIssuer(existing, issuer);
      }
    } catch (err) {
      // An http issuer on a host other than loopback cannot be a redirect URI (RFC 9700 §2.1):
      // the platform still starts (its APIs work), and the log says why the portal cannot sign in.
      if (!(err instanceof InvalidRedirectUriError || err instanceof InvalidClientMetadataError)) throw err;
      this.logger.warn(
        { clientId: PORTAL_CLIENT_ID, issuer, reason: err.message },
        'the portal client could not be registered at this issuer: the portal cannot sign anyone in (use an https issuer, or http on localhost)',
      );
    }
  }

  private async create(issuer: string) {
    try {
      await this.clients.create(portalClientMetadata(issuer), 'managed');
      this.logger.info({ clientId: PORTAL_CLIENT_ID, redirectUri: portalRedirectUri(issuer) }, 'registered the portal client');
    } catch (err) {
      // A replica starting at the same moment may create it first: "already exists" is success.
      if (!(err instanceof InvalidClientMetadataError && /already exists/.test(err.message))) throw err;
    }
  }

  private async followIssuer(existing: Client, issuer: string) {
    const metadata = {
      ...clientMetadataView(existing, { policy: true }),
      redirect_uris: [portalRedirectUri(issuer)],
      post_logout_redirect_uris: [portalPostLogoutRedirectUri(issuer)],
    };
    await this.clients.update(PORTAL_CLIENT_ID, metadata, 'managed');
    this.logger.info(
      { clientId: PORTAL_CLIENT_ID, redirectUri: portalRedirectUri(issuer), previous: existing.redirectUris },
      'the issuer changed: the portal client now redirects to the new issuer',
    );
  }
}

/** Both URIs of this issuer registered (an administrator may have added others, e.g. a dev server's). */
function followsIssuer(client: Client, issuer: string): boolean {
  return client.redirectUris.includes(portalRedirectUri(issuer)) && (client.postLogoutRedirectUris ?? []).includes(portalPostLogoutRedirectUri(issuer));
}
