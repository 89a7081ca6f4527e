import { ApiTags } from '@nestjs/swagger';
import { Body, Controller, Get, HttpCode, Param, Post, Req, UseFilters, UseGuards } from '@nestjs/common';
import { AdminGuard, type AdminRequest } from '../auth/admin.guard';
import { AdminRead, AdminWrite } from '../auth/scopes';
import { AuditLog } from '../audit/audit-log';
import { ProblemDetailsFilter } from '../http/problem-details.filter';
import { objectBody, pathId } from '../http/request-input';
import { TokenServiceApi } from '../upstream/internal-api';

/** Signing keys: the published ones (public parts and status only) and rotation on demand. */
@Controller('admin/api/keys')
@UseGuards(AdminGuard)
@ApiTags('keys')
@UseFilters(ProblemDetailsFilter)
export class KeysController {
  constructor(
    private readonly tokenService: TokenServiceApi,
    private readonly audit: AuditLog,
  ) {}

  @Get()
  @AdminRead('List signing keys')
  list() {
    return this.tokenService.call('GET', '/internal/keys');
  }

  /** A key already rotated out, unpublished now (it leaked): every token it signed stops verifying. 409 for a key in use. */
  @Post(':kid/retire')
  @HttpCode(200)
  @AdminWrite('Retire a signing key now', 'For a key rotated out earlier that must stop verifying before its tokens expire (a leak). The key in use cannot be retired: rotate first.')
  async retire(@Param('kid') kid: string, @Req() req: AdminRequest) {
    const result = await this.tokenService.call('POST', `/internal/keys/${encodeURIComponent(pathId(kid, 'key'))}/retire`);
    await this.audit.action(req.actor, 'key.retired', { details: { kid } });
    return result;
  }

  /** `{ alg? }`: a new key for one algorithm, or for each; published before it signs anything (key.rotated). */
  @Post('rotate')
  @HttpCode(200)
  @AdminWrite('Rotate signing keys now')
  async rotate(@Body() body: unknown, @Req() req: AdminRequest) {
    const input = body === undefined ? {} : objectBody(body);
    const result = await this.tokenService.call<{ rotated: Array<{ alg: string; kid?: string }> }>('POST', '/internal/keys/rotate', input);
    await this.audit.action(req.actor, 'key.rotated', { details: { rotated: result.rotated.map((r) => ({ alg: r.alg, kid: r.kid })) } });
    return result;
  }
}
