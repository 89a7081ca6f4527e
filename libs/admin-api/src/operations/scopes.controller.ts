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
 * What scopes and claims mean: OpenID Connect's and the custom ones of TESSERA_SCOPES (read-only:
 * they are configuration), and the APIs (resource servers) with the scopes each accepts.
 */
@Controller('admin/api')
@UseGuards(AdminGuard)
@ApiTags('scopes and APIs')
@UseFilters(ProblemDetailsFilter)
export class ScopesController {
  constructor(
    private readonly tokenService: TokenServiceApi,
    private readonly audit: AuditLog,
    private readonly idempotency: Idempotency,
  ) {}

  @Get('scopes')
  @AdminRead('Scopes and claims the token service knows')
  scopes() {
    return this.tokenService.call('GET', '/internal/scopes');
  }

  @Get('resource-servers')
  @AdminRead('APIs that accept Tessera tokens, with their scopes')
  resourceServers() {
    return this.tokenService.call('GET', '/internal/resource-servers');
  }

  /** `{ identifier, name?, scopes?, access_token_format?, client_id? }` (RFC 8707 resource indicator). */
  @Post('resource-servers')
  @HttpCode(201)
  @AdminWrite('Register an API (resource server)')
  async createResourceServer(@Body() body: unknown, @Req() req: AdminRequest, @Headers('idempotency-key') key?: string | string[]) {
    const input = objectBody(body);
    return this.idempotency.run(req.actor, 'POST /admin/api/resource-servers', key, input, async () => {
      const created = await this.tokenService.call<{ id: string; identifier: string }>('POST', '/internal/resource-servers', input);
      await this.audit.action(req.actor, 'resource_server.created', { details: { id: created.id, identifier: created.identifier } });
      return created;
    });
  }

  @Delete('resource-servers/:id')
  @HttpCode(204)
  @AdminWrite('Remove an API (resource server)')
  async removeResourceServer(@Param('id') id: string, @Req() req: AdminRequest) {
    await this.tokenService.call('DELETE', `/internal/resource-servers/${encodeURIComponent(pathId(id, 'resource server'))}`);
    await this.audit.action(req.actor, 'resource_server.deleted', { details: { id } });
  }
}
