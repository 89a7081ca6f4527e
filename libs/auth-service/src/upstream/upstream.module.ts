import { Inject, Module, type OnModuleInit } from '@nestjs/common';
import { SignInMethods } from '../account/sign-in-methods';
import { AUTH_SERVICE_CONFIG, type AuthServiceConfig } from '../config/auth-service-config';
import { LoginMethods } from '../flows/login-methods';
import { UsersService } from '../users/users.service';
import { AccountLinksController } from './account-links.controller';
import { UpstreamAuthRequests } from './upstream-auth-requests';
import { UpstreamFlowController } from './upstream-flow.controller';
import { UpstreamIdpsController } from './upstream-idps.controller';
import { UpstreamIdpsService } from './upstream-idps.service';
import { UpstreamLinksService } from './upstream-links.service';
import { UpstreamOidcClient } from './upstream-oidc-client';
import { UpstreamPendingLinks } from './upstream-pending-links';
import { UpstreamFlowErrorFilter } from './upstream-redirect';
import { UpstreamSignInService } from './upstream-sign-in.service';
import { UpstreamStrategy } from './upstream.strategy';
import { upstreamUrls } from './upstream-urls';

/**
 * Upstream OpenID providers: admins configure them (internal API), people sign in with them
 * (just-in-time provisioning, or linking after proof of the local account) and link or unlink
 * them from their account.
 */
@Module({
  controllers: [UpstreamIdpsController, UpstreamFlowController, AccountLinksController],
  providers: [
    UpstreamIdpsService,
    UpstreamLinksService,
    UpstreamOidcClient,
    UpstreamAuthRequests,
    UpstreamPendingLinks,
    UpstreamSignInService,
    UpstreamStrategy,
    UpstreamFlowErrorFilter,
  ],
})
export class UpstreamModule implements OnModuleInit {
  constructor(
    private readonly idps: UpstreamIdpsService,
    private readonly links: UpstreamLinksService,
    private readonly requests: UpstreamAuthRequests,
    private readonly pendingLinks: UpstreamPendingLinks,
    private readonly loginMethods: LoginMethods,
    private readonly signInMethods: SignInMethods,
    private readonly users: UsersService,
    @Inject(AUTH_SERVICE_CONFIG) private readonly config: AuthServiceConfig,
  ) {}

  onModuleInit() {
    const urls = upstreamUrls(this.config.issuer);
    // The login page lists each enabled provider; the portal appends `?login_challenge=…` to start_url.
    this.loginMethods.register(async () =>
      (await this.idps.listEnabled()).map((idp) => ({ type: 'upstream', id: idp.id, name: idp.displayName, start_url: urls.start(idp.id) })),
    );
    this.signInMethods.register('upstream', (sub) => this.links.countUsable(sub));
    this.users.onDelete(async (manager, sub) => {
      await this.links.deleteOf(manager, sub);
      await this.pendingLinks.deleteOf(manager, sub);
      await this.requests.deleteOf(manager, sub);
    });
  }
}
