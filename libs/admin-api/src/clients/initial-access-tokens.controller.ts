import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Post, Req, UseFilters, UseGuards } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { AdminGuard, type AdminRequest } from '../auth/admin.guard';
import { AdminRead, AdminWrite } from '../auth/scopes';
import { AuditLog } from '../audit/audit-log';
import { Idempotency } from '../http/idempotency';
import { ProblemDetailsFilter } from '../http/problem-details.filter';
import { objectBody, pathId } from '../http/request-input';
import { TokenServiceApi } from '../upstream/internal-api';

/**
 * Initial access tokens for dynamic client registration (RFC 7591 §3, TESSERA_REGISTRATION=token):
 * handed to a developer so that they can register clients, with an expiry and the scopes those
 * clients may ask for. The token is in the creation's answer only.
 */
@Controller('admin/api/initial-access-tokens')
@UseGuards(AdminGuard)
@ApiTags('clients')
@UseFilters(ProblemDetailsFilter)
export class InitialAccessTokensController {
  constructor(
    private readonly tokenService: TokenServiceApi,
    private readonly audit: AuditLog,
    private readonly idempotency: Idempotency,
  ) {}

  /** `{ description?, expires_in? (seconds, 60 to a year), scope? (within TESSERA_REGISTRATION_SCOPES) }`. */
  @Post()
  @HttpCode(201)
  @AdminWrite('Create an initial access token for dynamic registration (shown once)')
  async create(@Body() body: unknown, @Req() req: AdminRequest, @Headers('idempotency-key') key?: string | string[]) {
    const input = objectBody(body);
    return this.idempotency.run(req.actor, 'POST /admin/api/initial-access-tokens', key, input, async () => {
      const created = await this.tokenService.call<{ id: string; scope?: string; expires_at?: number }>('POST', '/internal/initial-access-tokens', input);
      await this.audit.action(req.actor, 'initial_access_token.created', { details: { id: created.id, scope: created.scope, expires_at: created.expires_at } });
      return created;
    });
  }

  @Get()
  @AdminRead('List initial access tokens (never their values)')
  list() {
    return this.tokenService.call('GET', '/internal/initial-access-tokens');
  }

  @Delete(':id')
  @HttpCode(204)
  @AdminWrite('Revoke an initial access token')
  async revoke(@Param('id') id: string, @Req() req: AdminRequest) {
    await this.tokenService.call('DELETE', `/internal/initial-access-tokens/${encodeURIComponent(pathId(id, 'initial access token'))}`);
    await this.audit.action(req.actor, 'initial_access_token.revoked', { details: { id } });
  }
}
