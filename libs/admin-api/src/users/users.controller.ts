import { ApiTags } from '@nestjs/swagger';
import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Patch, Post, Query, Req, UseFilters, UseGuards } from '@nestjs/common';
import { AdminGuard, type AdminRequest } from '../auth/admin.guard';
import { AdminRead, AdminWrite } from '../auth/scopes';
import { AuditLog } from '../audit/audit-log';
import { Idempotency } from '../http/idempotency';
import { Problem } from '../http/problem';
import { ProblemDetailsFilter } from '../http/problem-details.filter';
import { decodeCursor, encodeCursor, objectBody, pageSize, pathId, single } from '../http/request-input';
import { RevocationsService } from '../revocations/revocations.service';
import { AuthServiceApi, TokenServiceApi } from '../upstream/internal-api';

type UserView = Record<string, unknown> & { sub: string; cursor: string };

const userPath = (sub: string) => `/internal/users/${encodeURIComponent(pathId(sub, 'user'))}`;

/**
 * Users, kept by the authentication service: search and page, create, edit claims and roles,
 * lock/unlock/disable, delete, reset MFA, end sessions; and their grants at the token service.
 */
@Controller('admin/api/users')
@UseGuards(AdminGuard)
@ApiTags('users')
@UseFilters(ProblemDetailsFilter)
export class UsersController {
  constructor(
    private readonly authService: AuthServiceApi,
    private readonly tokenService: TokenServiceApi,
    private readonly audit: AuditLog,
    private readonly idempotency: Idempotency,
    private readonly revocations: RevocationsService,
  ) {}

  /** `?q=` an email prefix or a whole sub, `?status=active|locked|disabled`, `?cursor=&limit=`: newest first. */
  @Get()
  @AdminRead('List and search users')
  async list(@Query() query: Record<string, unknown>) {
    const limit = pageSize(query);
    const params = new URLSearchParams({ limit: String(limit + 1) });
    const q = single(query, 'q');
    const status = single(query, 'status');
    const after = decodeCursor(query);
    if (q) params.set('q', q);
    if (status) params.set('status', status);
    if (after) params.set('after', after);
    const found = await this.authService.call<UserView[]>('GET', `/internal/users?${params}`);
    const items = found.slice(0, limit).map(({ cursor: _cursor, ...user }) => user);
    return { items, ...(found.length > limit ? { next_cursor: encodeCursor(found[limit - 1].cursor) } : {}) };
  }

  /** `{ email, password?, email_verified?, claims?, roles? }`. */
  @Post()
  @HttpCode(201)
  @AdminWrite('Create a user')
  async create(@Body() body: unknown, @Req() req: AdminRequest, @Headers('idempotency-key') key?: string | string[]) {
    const input = objectBody(body);
    return this.idempotency.run(req.actor, 'POST /admin/api/users', key, input, async () => {
      const { cursor: _cursor, ...created } = await this.authService.call<UserView>('POST', '/internal/users', input);
      await this.audit.action(req.actor, 'user.created', { subject: created.sub, details: { roles: created['roles'] } });
      return created;
    });
  }

  @Get(':sub')
  @AdminRead('Read a user')
  async read(@Param('sub') sub: string) {
    const { cursor: _cursor, ...user } = await this.authService.call<UserView>('GET', userPath(sub));
    return user;
  }

  /** `{ claims?, status?, roles? }`: edit the profile, lock, unlock or disable (sessions end), grant or take the admin role. */
  @Patch(':sub')
  @AdminWrite('Edit, lock, unlock, disable a user, or set roles')
  async update(@Param('sub') sub: string, @Body() body: unknown, @Req() req: AdminRequest) {
    const changes = objectBody(body);
    const { cursor: _cursor, ...user } = await this.authService.call<UserView>('PATCH', userPath(sub), changes);
    const details: Record<string, unknown> = { fields: Object.keys(changes).sort() };
    if (changes['status'] !== undefined) details['status'] = changes['status'];
    if (changes['roles'] !== undefined) details['roles'] = changes['roles'];
    await this.audit.action(req.actor, 'user.updated', { subject: sub, details });
    return user;
  }

  @Delete(':sub')
  @HttpCode(204)
  @AdminWrite('Delete a user')
  async remove(@Param('sub') sub: string, @Req() req: AdminRequest) {
    await this.authService.call('DELETE', userPath(sub));
    await this.audit.action(req.actor, 'user.deleted', { subject: sub });
  }

  /** Removes the person's authenticator app and recovery codes (passkeys stay: they are ways to sign in). */
  @Post(':sub/mfa/reset')
  @HttpCode(200)
  @AdminWrite('Reset a user\'s MFA')
  async resetMfa(@Param('sub') sub: string, @Req() req: AdminRequest) {
    const result = await this.authService.call<{ removed: string[] }>('POST', `${userPath(sub)}/mfa/reset`);
    await this.audit.action(req.actor, 'user.mfa_reset', { subject: sub, details: { removed: result.removed } });
    return result;
  }

  @Get(':sub/sessions')
  @AdminRead('List a user\'s sessions')
  sessions(@Param('sub') sub: string) {
    return this.authService.call('GET', `${userPath(sub)}/sessions`);
  }

  /** Ends every session of the user; the apps signed in through them get back-channel logout tokens. */
  @Delete(':sub/sessions')
  @AdminWrite('End all of a user\'s sessions')
  async endSessions(@Param('sub') sub: string, @Req() req: AdminRequest) {
    const result = await this.authService.call<{ ended: number }>('DELETE', `${userPath(sub)}/sessions`);
    await this.audit.action(req.actor, 'user.sessions_ended', { subject: sub, details: { ended: result.ended } });
    return result;
  }

  /** The apps the user granted access to. */
  @Get(':sub/grants')
  @AdminRead('List a user\'s grants')
  async grants(@Param('sub') sub: string) {
    await this.read(sub);
    return this.tokenService.call('GET', `/internal/grants?sub=${encodeURIComponent(sub)}`);
  }

  /** Revokes one grant: its refresh and access tokens die with it. */
  @Delete(':sub/grants/:grantId')
  @HttpCode(204)
  @AdminWrite('Revoke one of a user\'s grants')
  async revokeGrant(@Param('sub') sub: string, @Param('grantId') grantId: string, @Req() req: AdminRequest) {
    await this.tokenService.call('DELETE', `/internal/grants/${encodeURIComponent(pathId(grantId, 'grant'))}?sub=${encodeURIComponent(pathId(sub, 'user'))}`);
    await this.audit.action(req.actor, 'user.grant_revoked', { subject: sub, details: { grant_id: grantId } });
  }

  /** `{ client_id }`: revokes everything this user holds at one client (grants, tokens, its OP sessions); 202 with the revocation. */
  @Post(':sub/revocations')
  @HttpCode(202)
  @AdminWrite('Revoke a user\'s access to one client')
  async revoke(@Param('sub') sub: string, @Body() body: unknown, @Req() req: AdminRequest) {
    const input = objectBody(body);
    const clientId = input['client_id'];
    if (typeof clientId !== 'string' || !clientId) throw Problem.badRequest('client_id is required.');
    const unknown = Object.keys(input).filter((k) => k !== 'client_id');
    if (unknown.length) throw Problem.badRequest(`Unknown fields: ${unknown.join(', ')}.`);
    await this.read(sub);
    await this.tokenService.call('GET', `/internal/clients/${encodeURIComponent(pathId(clientId, 'client'))}`);
    return this.revocations.request(req.actor, { clientId, sub, disableClient: false });
  }
}
