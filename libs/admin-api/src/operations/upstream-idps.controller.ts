import { ApiTags } from '@nestjs/swagger';
import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Patch, Post, Req, UseFilters, UseGuards } from '@nestjs/common';
import { AdminGuard, type AdminRequest } from '../auth/admin.guard';
import { AdminRead, AdminWrite } from '../auth/scopes';
import { AuditLog } from '../audit/audit-log';
import { Idempotency } from '../http/idempotency';
import { ProblemDetailsFilter } from '../http/problem-details.filter';
import { objectBody, pathId } from '../http/request-input';
import { AuthServiceApi } from '../upstream/internal-api';

const idpPath = (id: string) => `/internal/upstream-idps/${encodeURIComponent(pathId(id, 'identity provider'))}`;

/** Upstream identity providers people sign in with; their client secrets are stored encrypted and never shown again. */
@Controller('admin/api/upstream-idps')
@UseGuards(AdminGuard)
@ApiTags('upstream identity providers')
@UseFilters(ProblemDetailsFilter)
export class UpstreamIdpsController {
  constructor(
    private readonly authService: AuthServiceApi,
    private readonly audit: AuditLog,
    private readonly idempotency: Idempotency,
  ) {}

  @Get()
  @AdminRead('List upstream identity providers')
  list() {
    return this.authService.call('GET', '/internal/upstream-idps');
  }

  @Post()
  @HttpCode(201)
  @AdminWrite('Add an upstream identity provider')
  async create(@Body() body: unknown, @Req() req: AdminRequest, @Headers('idempotency-key') key?: string | string[]) {
    const input = objectBody(body);
    return this.idempotency.run(req.actor, 'POST /admin/api/upstream-idps', key, input, async () => {
      const created = await this.authService.call<{ id: string; issuer?: string }>('POST', '/internal/upstream-idps', input);
      await this.audit.action(req.actor, 'upstream_idp.created', { details: { id: created.id, issuer: created.issuer } });
      return created;
    });
  }

  @Get(':id')
  @AdminRead('Read an upstream identity provider')
  read(@Param('id') id: string) {
    return this.authService.call('GET', idpPath(id));
  }

  @Patch(':id')
  @AdminWrite('Change an upstream identity provider')
  async update(@Param('id') id: string, @Body() body: unknown, @Req() req: AdminRequest) {
    const changes = objectBody(body);
    const updated = await this.authService.call('PATCH', idpPath(id), changes);
    await this.audit.action(req.actor, 'upstream_idp.updated', { details: { id, fields: Object.keys(changes).sort() } });
    return updated;
  }

  @Delete(':id')
  @HttpCode(204)
  @AdminWrite('Remove an upstream identity provider')
  async remove(@Param('id') id: string, @Req() req: AdminRequest) {
    await this.authService.call('DELETE', idpPath(id));
    await this.audit.action(req.actor, 'upstream_idp.deleted', { details: { id } });
  }
}
