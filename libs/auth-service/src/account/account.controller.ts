import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Req, Res, UseFilters, UseGuards, type OnModuleInit } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { FlowError } from '../http/flow-error';
import { FlowErrorFilter } from '../http/flow-error.filter';
import { noStore } from '../http/no-store';
import { LoginSessionsService } from '../sessions/login-sessions.service';
import { SessionOverview } from '../sessions/session-overview';
import { TokenServiceClient } from '../token-service/token-service.client';
import { UsersService } from '../users/users.service';
import { AccountGuard, type AccountRequest } from './account.guard';
import { RecentAuthentication } from './recent-authentication';
import { SignInMethods } from './sign-in-methods';

type Body = Record<string, unknown> | undefined;

/**
 * The account API (`/auth/account/*`) for the portal, a first-party client holding an access
 * token with the `account` scope: profile, password, sessions, connected apps, deletion. The
 * features add their parts (MFA devices, passkeys, linked accounts) under the same prefix.
 */
@Controller('auth/account')
@UseGuards(AccountGuard)
@UseFilters(FlowErrorFilter)
export class AccountController implements OnModuleInit {
  constructor(
    private readonly users: UsersService,
    private readonly sessions: LoginSessionsService,
    private readonly tokenService: TokenServiceClient,
    private readonly recent: RecentAuthentication,
    private readonly methods: SignInMethods,
    private readonly overview: SessionOverview,
  ) {}

  onModuleInit() {
    this.methods.register('password', async (sub) => ((await this.users.find(sub))?.passwordHash ? 1 : 0));
  }

  @Get()
  async profile(@Req() req: AccountRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    noStore(reply);
    const user = await this.users.require(req.account.sub);
    return { sub: user.sub, email: user.email, email_verified: user.emailVerified, has_password: user.passwordHash !== null, claims: user.claims, created_at: user.createdAt, updated_at: user.updatedAt };
  }

  /** Profile claims (OIDC Core §5.1); `null` removes one. Email changes go through re-verification. */
  @Patch()
  async updateProfile(@Body() body: Body, @Req() req: AccountRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    noStore(reply);
    const user = await this.users.updateProfile(req.account.sub, body?.['claims'] ?? body, { selfService: true });
    return { sub: user.sub, claims: user.claims, updated_at: user.updatedAt };
  }

  /** `{ new_password, current_password? }`: ends every other session; the user's refresh tokens are revoked (password.changed). */
  @Post('password')
  @HttpCode(204)
  async changePassword(@Body() body: Body, @Req() req: AccountRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    noStore(reply);
    await this.recent.require(req, req.account.sub, body?.['current_password']);
    await this.users.setPassword(req.account.sub, body?.['new_password']);
    const current = await this.sessions.authenticated(req);
    await this.sessions.endAllOf(req.account.sub, current?.sub === req.account.sub ? current.id : undefined);
  }

  @Get('sessions')
  async listSessions(@Req() req: AccountRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    noStore(reply);
    const current = await this.sessions.fromRequest(req);
    return this.overview.of(req.account.sub, current?.id);
  }

  /** Ends every session but the one this browser is signed in with (each ends its OP sessions, with back-channel logout). */
  @Delete('sessions')
  async endOtherSessions(@Req() req: AccountRequest) {
    const current = await this.sessions.fromRequest(req);
    return { ended: await this.sessions.endAllOf(req.account.sub, current?.sub === req.account.sub ? current.id : undefined) };
  }

  @Delete('sessions/:id')
  @HttpCode(204)
  async endSession(@Param('id') id: string, @Req() req: AccountRequest) {
    const session = (await this.sessions.listOf(req.account.sub)).find((s) => s.id === id);
    if (!session) throw new FlowError('not_found', 'No such session.');
    await this.sessions.end(undefined, session);
  }

  /** Connected apps: the user's grants at the token service. */
  @Get('apps')
  async apps(@Req() req: AccountRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    noStore(reply);
    return this.tokenService.grantsOf(req.account.sub);
  }

  /** Revokes one app's access: its tokens die through `grant.revoked`. */
  @Delete('apps/:grantId')
  @HttpCode(204)
  async revokeApp(@Param('grantId') grantId: string, @Req() req: AccountRequest) {
    if (!/^[A-Za-z0-9_-]{1,128}$/.test(grantId)) throw new FlowError('not_found', 'No such connected app.');
    await this.tokenService.revokeGrant(req.account.sub, grantId);
  }

  /** Deletes the account (recent authentication or the current password); every grant and token dies with it. */
  @Delete()
  @HttpCode(204)
  async deleteAccount(@Body() body: Body, @Req() req: AccountRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    await this.recent.require(req, req.account.sub, body?.['current_password']);
    await this.sessions.endAllOf(req.account.sub);
    await this.users.delete(req.account.sub);
    void reply.clearCookie('tessera_login', { path: '/' });
  }
}
