import { ApiTags } from '@nestjs/swagger';
import { Body, Controller, Get, HttpCode, Post, Req, UseFilters, UseGuards } from '@nestjs/common';
import { AdminGuard, type AdminRequest } from '../auth/admin.guard';
import { AdminRead, AdminWrite } from '../auth/scopes';
import { AuditLog } from '../audit/audit-log';
import { ProblemDetailsFilter } from '../http/problem-details.filter';
import { objectBody } from '../http/request-input';
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
