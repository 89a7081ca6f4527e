import { Body, Controller, Delete, Get, HttpCode, Param, Post, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { AccountGuard, type AccountRequest } from '../account/account.guard';
import { RecentAuthentication } from '../account/recent-authentication';
import { SignInMethods } from '../account/sign-in-methods';
import { FlowError } from '../http/flow-error';
import { FlowErrorFilter } from '../http/flow-error.filter';
import { noStore } from '../http/no-store';
import { UpstreamAuthRequests } from './upstream-auth-requests';
import { UpstreamIdpsService } from './upstream-idps.service';
import { UpstreamLinksService } from './upstream-links.service';
import { UpstreamOidcClient } from './upstream-oidc-client';

type Body = Record<string, unknown> | undefined;

/**
 * Linked accounts in the account API:
 *   GET    /auth/account/links              { links, available }
 *   POST   /auth/account/links/{idp}        { current_password? } → { redirect_to }: send the browser
 *          there; the callback links the upstream account to this user (in this browser only)
 *   DELETE /auth/account/links/{linkId}     { current_password? }: never the last way to sign in
 * Adding and removing a way to sign in are sensitive: both need a recent sign-in or the
 * current password (a stolen account token alone cannot plant the thief's upstream account).
 */
@Controller('auth/account/links')
@UseGuards(AccountGuard)
@UseFilters(FlowErrorFilter)
export class AccountLinksController {
  constructor(
    private readonly links: UpstreamLinksService,
    private readonly idps: UpstreamIdpsService,
    private readonly requests: UpstreamAuthRequests,
    private readonly client: UpstreamOidcClient,
    private readonly recent: RecentAuthentication,
    private readonly methods: SignInMethods,
  ) {}

  @Get()
  async list(@Req() req: AccountRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    noStore(reply);
    const [links, idps] = await Promise.all([this.links.listOf(req.account.sub), this.idps.list()]);
    const byId = new Map(idps.map((idp) => [idp.id, idp]));
    return {
      links: links.map((link) => ({
        id: link.id,
        idp: { id: link.idpId, name: byId.get(link.idpId)?.displayName ?? link.idpId, enabled: byId.get(link.idpId)?.enabled ?? false },
        email: link.email,
        created_at: link.createdAt,
        last_used_at: link.lastUsedAt,
      })),
      available: idps.filter((idp) => idp.enabled && !links.some((l) => l.idpId === idp.id)).map((idp) => ({ id: idp.id, name: idp.displayName })),
    };
  }

  @Post(':idp')
  @HttpCode(200)
  async start(@Param('idp') idpId: string, @Body() body: Body, @Req() req: AccountRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    noStore(reply);
    const sub = req.account.sub;
    await this.recent.require(req, sub, body?.['current_password']);
    const idp = await this.idps.requireEnabled(idpId);
    if ((await this.links.listOf(sub)).some((l) => l.idpId === idp.id)) {
      throw new FlowError('conflict', `Your account is linked to a ${idp.displayName} account already; unlink it first.`);
    }
    const checks = this.requests.newChecks();
    const redirectTo = await this.client.authorizationUrl(idp, checks);
    await this.requests.create(req, reply, { idpId: idp.id, purpose: 'link', sub }, checks);
    return { redirect_to: redirectTo };
  }

  @Delete(':linkId')
  @HttpCode(204)
  async unlink(@Param('linkId') linkId: string, @Body() body: Body, @Req() req: AccountRequest) {
    const sub = req.account.sub;
    await this.recent.require(req, sub, body?.['current_password']);
    const link = (await this.links.listOf(sub)).find((l) => l.id === linkId);
    if (!link) throw new FlowError('not_found', 'No such linked account.');
    // A link through a disabled provider is no way in today: removing it takes nothing away.
    const usable = (await this.idps.find(link.idpId))?.enabled === true;
    await this.methods.removeUnlessLast(sub, usable ? 1 : 0, (manager) => this.links.unlink(manager, sub, link.id));
  }
}
