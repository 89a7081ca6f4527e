import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { InvalidClientMetadataError, InvalidRedirectUriError } from '@tessera/oauth-errors';
import type { Logger } from 'pino';
import { LOGGER, PORTAL_CLIENT_ID, portalPostLogoutRedirectUri, portalRedirectUri } from '@tessera/runtime';
import { ACCOUNT_SCOPE, ADMIN_READ_SCOPE, ADMIN_WRITE_SCOPE } from '@tessera/scopes';
import { TOKEN_SERVICE_CONFIG, type TokenServiceConfig } from '../config/token-service-config';
import type { Client } from './client';
import { editableMetadata } from './built-in-clients';
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
 * Registers the portal client on the first start, and at every later start puts back its fixed
 * settings (portalClientMetadata: public, code flow with PKCE only, no refresh tokens, exactly this
 * issuer's redirect and post-logout URIs, first-party, its scopes) and turns it on again, keeping
 * only what an administrator may change on it (BUILT_IN_EDITABLE_FIELDS: name, lifetimes, MFA
 * policy, ...). So neither an issuer change nor an edit made around the internal API's refusals
 * (an older version, the database) leaves it redirecting elsewhere, weaker, or off. What it
 * corrected is logged at info. Idempotent across restarts and replicas starting at once.
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
    const existing = await this.clients.find(PORTAL_CLIENT_ID);
    if (existing) return this.reapply(existing, issuer);
    try {
      await this.create(issuer);
    } catch (err) {
      // An http issuer on a host other than loopback cannot be a redirect URI (RFC 9700 §2.1):
      // the platform still starts (its APIs work), and the log says why the portal cannot sign in.
      // Nothing is registered, so nothing can redirect anywhere.
      if (!(err instanceof InvalidRedirectUriError || err instanceof InvalidClientMetadataError)) throw err;
      this.logger.warn(
        { clientId: PORTAL_CLIENT_ID, issuer, reason: err.message },
        'the portal client could not be registered at this issuer: the portal cannot sign anyone in (use an https issuer, or http on localhost)',
      );
    }
  }

  private async create(issuer: string) {
    try {
      await this.clients.create(portalClientMetadata(issuer), 'managed', { builtIn: true });
      this.logger.info({ clientId: PORTAL_CLIENT_ID, redirectUri: portalRedirectUri(issuer) }, 'registered the portal client');
    } catch (err) {
      // A replica starting at the same moment may create it first: "already exists" is success.
      if (!(err instanceof InvalidClientMetadataError && /already exists/.test(err.message))) throw err;
    }
  }

  /**
   * If this fails, the start fails, loudly, rather than go on with the client as it is: an issuer
   * that changed to one that cannot be a redirect URI (http on a remote host) would otherwise leave
   * the previous origin's /callback registered for a first-party client that can get admin tokens,
   * and that origin may no longer be ours. Clearing the URIs in place is not an option (a code-flow
   * client needs one to be a client at all), and disabling it quietly would lock every
   * administrator out of the console with only a log line to say why. A failed start is seen at
   * once by the operator who just changed the setting, says what to fix, and changes nothing; the
   * next start at a usable issuer applies the settings. (A first start at such an issuer registers
   * nothing and only warns: there is nothing stale to leave behind.)
   */
  private async reapply(existing: Client, issuer: string) {
    const metadata = { ...portalClientMetadata(issuer), ...editableMetadata(clientMetadataView(existing, { policy: true })) };
    let result: Awaited<ReturnType<ClientsService['applyBuiltIn']>>;
    try {
      result = await this.clients.applyBuiltIn(PORTAL_CLIENT_ID, metadata);
    } catch (err) {
      throw new Error(
        `The portal client (${PORTAL_CLIENT_ID}) could not be set to this issuer's settings (${issuer}): ${(err as Error).message} ` +
          `Refusing to start while it still redirects to ${existing.redirectUris.join(', ') || 'nowhere'}: set TESSERA_ISSUER to an https URL (or http on localhost).`,
        { cause: err },
      );
    }
    const { corrected, previous, enabled } = result;
    if (corrected.length === 0 && !enabled) return;
    const issuerChanged = !existing.redirectUris.includes(portalRedirectUri(issuer));
    this.logger.info(
      { clientId: PORTAL_CLIENT_ID, redirectUri: portalRedirectUri(issuer), corrected, previous, ...(enabled ? { enabled } : {}) },
      issuerChanged
        ? 'the issuer changed: the portal client now redirects to the new issuer'
        : "put back the portal client's fixed settings (only its name, lifetimes and sign-in requirements may be changed)",
    );
  }
}
