import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, UseFilters, UseGuards } from '@nestjs/common';
import { SecondFactors } from '../mfa/second-factors';
import { FlowError } from '../http/flow-error';
import { FlowErrorFilter } from '../http/flow-error.filter';
import type { UserEntity } from '../database/entities/user.entity';
import { UsersService } from '../users/users.service';
import { LoginSessionsService } from '../sessions/login-sessions.service';
import { SessionOverview } from '../sessions/session-overview';
import type { UserStatus } from '../database/entities/user.entity';
import { AuthInternalApiGuard, InternalCallers } from './internal-api.guard';

/** What operators and the admin API see of a user (never the password hash). */
export const userView = (user: UserEntity, claims: Record<string, unknown>) => ({
  sub: user.sub,
  email: user.email,
  email_verified: user.emailVerified,
  status: user.status,
  roles: user.roles,
  has_password: user.passwordHash !== null,
  claims,
  created_at: user.createdAt,
  updated_at: user.updatedAt,
  /** The listing's cursor (`after=`) continues after this user. */
  cursor: `${user.createdAt}:${user.sub}`,
});

/**
 * The internal user API: the token service reads claims (`GET /internal/users/{sub}/claims`);
 * operators (the CLI) and the admin API create and read users.
 */
@Controller('internal/users')
@UseGuards(AuthInternalApiGuard)
@UseFilters(FlowErrorFilter)
export class InternalUsersController {
  constructor(
    private readonly users: UsersService,
    private readonly sessions: LoginSessionsService,
    private readonly overview: SessionOverview,
    private readonly factors: SecondFactors,
  ) {}

  /** `?q=` (email prefix or a whole sub), `?status=`, `?after=<created_at>:<sub>`, `?limit=` (1–1000, default 50): newest first. */
  @Get()
  @InternalCallers('admin-api', 'operator')
  async list(@Query() query: Record<string, unknown>) {
    const str = (name: string) => {
      const v = query[name];
      if (v !== undefined && (typeof v !== 'string' || v.length > 320)) throw new FlowError('invalid_request', `${name} must be given once.`);
      return v as string | undefined;
    };
    const limitText = str('limit') ?? '50';
    if (!/^\d{1,4}$/.test(limitText) || Number(limitText) < 1 || Number(limitText) > 1000) throw new FlowError('invalid_request', 'limit must be from 1 to 1000.');
    const status = str('status');
    if (status !== undefined && !['active', 'locked', 'disabled'].includes(status)) throw new FlowError('invalid_request', 'status must be active, locked or disabled.');
    const afterText = str('after');
    const after = afterText === undefined ? undefined : /^(\d{1,15}):(.{1,255})$/.exec(afterText);
    if (afterText !== undefined && !after) throw new FlowError('invalid_request', 'after must be <created_at>:<sub>.');
    const users = await this.users.search({
      q: str('q') || undefined,
      status: status as UserStatus | undefined,
      after: after ? { createdAt: Number(after[1]), sub: after[2] } : undefined,
      limit: Number(limitText),
    });
    return users.map((u) => userView(u, u.claims));
  }

  @Get(':sub/claims')
  @InternalCallers('token-service', 'admin-api', 'operator')
  async claims(@Param('sub') sub: string) {
    const user = await this.users.find(sub);
    if (!user) throw new FlowError('not_found', 'No such user.');
    return this.users.claimsOf(user);
  }

  /** The roles the token service issues admin scopes by, and the admin API checks at each request: none unless the account is active. */
  @Get(':sub/roles')
  @InternalCallers('token-service', 'admin-api', 'operator')
  async roles(@Param('sub') sub: string) {
    const user = await this.users.find(sub);
    if (!user) throw new FlowError('not_found', 'No such user.');
    return { roles: user.status === 'active' ? user.roles : [], status: user.status };
  }

  @Get(':sub')
  @InternalCallers('admin-api', 'operator')
  async read(@Param('sub') sub: string) {
    const user = await this.users.require(sub);
    return userView(user, user.claims);
  }

  /** `{ email, password?, email_verified?, claims?, roles? }`: an account an operator creates is verified unless told otherwise. */
  @Post()
  @HttpCode(201)
  @InternalCallers('admin-api', 'operator')
  async create(@Body() body: unknown) {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new FlowError('invalid_request', 'The body must be a JSON object.');
    const b = body as Record<string, unknown>;
    if (b['password'] !== undefined && typeof b['password'] !== 'string') throw new FlowError('invalid_request', 'password must be a string.');
    if (b['roles'] !== undefined && (!Array.isArray(b['roles']) || !b['roles'].every((r) => typeof r === 'string'))) {
      throw new FlowError('invalid_request', 'roles must be an array of strings.');
    }
    if (b['email'] === undefined) throw new FlowError('invalid_request', 'email is required.');
    const user = await this.users.create({
      email: b['email'] as string,
      password: b['password'] as string | undefined,
      emailVerified: b['email_verified'] !== false,
      claims: b['claims'],
      roles: b['roles'] as string[] | undefined,
    });
    return userView(user, user.claims);
  }

  /** `{ status?, roles?, claims? }`: an administrator locks, disables or reactivates an account (its sessions end), sets its roles, or edits its profile. */
  @Patch(':sub')
  @InternalCallers('admin-api', 'operator')
  async update(@Param('sub') sub: string, @Body() body: unknown) {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new FlowError('invalid_request', 'The body must be a JSON object.');
    const b = body as Record<string, unknown>;
    const unknown = Object.keys(b).filter((k) => k !== 'status' && k !== 'claims' && k !== 'roles');
    if (unknown.length) throw new FlowError('invalid_request', `Only status, roles and claims can be changed here; not: ${unknown.join(', ')}.`);
    if (b['status'] !== undefined) {
      if (!['active', 'locked', 'disabled'].includes(b['status'] as string)) throw new FlowError('invalid_request', 'status must be active, locked or disabled.');
      await this.users.setStatus(sub, b['status'] as UserStatus);
    }
    if (b['roles'] !== undefined) await this.users.setRoles(sub, b['roles']);
    if (b['claims'] !== undefined) await this.users.updateProfile(sub, b['claims']);
    const user = await this.users.require(sub);
    return userView(user, user.claims);
  }

  @Get(':sub/sessions')
  @InternalCallers('admin-api', 'operator')
  async listSessions(@Param('sub') sub: string) {
    await this.users.require(sub);
    return (await this.overview.of(sub)).map(({ current: _current, ...session }) => session);
  }

  /** Deletes the account: its sessions end, its grants and tokens die (user.deleted). */
  @Delete(':sub')
  @HttpCode(204)
  @InternalCallers('admin-api', 'operator')
  async remove(@Param('sub') sub: string) {
    await this.users.delete(sub);
  }

  /** An administrator's MFA reset (a person lost their device): TOTP and recovery codes go; passkeys, being ways to sign in, stay. */
  @Post(':sub/mfa/reset')
  @HttpCode(200)
  @InternalCallers('admin-api', 'operator')
  async resetMfa(@Param('sub') sub: string) {
    await this.users.require(sub);
    return { removed: await this.factors.reset(sub) };
  }

  /** Ends every session of the user (each ends the OP sessions built on it). */
  @Delete(':sub/sessions')
  @HttpCode(200)
  @InternalCallers('admin-api', 'operator')
  async endSessions(@Param('sub') sub: string) {
    await this.users.require(sub);
    return { ended: await this.sessions.endAllOf(sub) };
  }
}
