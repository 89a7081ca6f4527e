import { ApiTags } from '@nestjs/swagger';
import { Controller, Get, Param, Query, UseFilters, UseGuards } from '@nestjs/common';
import { AdminGuard } from '../auth/admin.guard';
import { AdminRead } from '../auth/scopes';
import { ProblemDetailsFilter } from '../http/problem-details.filter';
import { single } from '../http/request-input';
import { RevocationsService } from '../revocations/revocations.service';
import { TokenServiceApi } from '../upstream/internal-api';

/** What happened after the fact: back-channel logout deliveries, and the status of revocations. */
@Controller('admin/api')
@UseGuards(AdminGuard)
@ApiTags('operations')
@UseFilters(ProblemDetailsFilter)
export class DeliveriesController {
  constructor(
    private readonly tokenService: TokenServiceApi,
    private readonly revocations: RevocationsService,
  ) {}

  /** `?client_id=&status=delivered|retrying|failed&limit=`: the most recently updated first. */
  @Get('backchannel-deliveries')
  @AdminRead('Back-channel logout deliveries')
  deliveries(@Query() query: Record<string, unknown>) {
    const params = new URLSearchParams();
    for (const name of ['client_id', 'status', 'limit']) {
      const value = single(query, name);
      if (value !== undefined) params.set(name, value);
    }
    return this.tokenService.call('GET', `/internal/backchannel-deliveries?${params}`);
  }

  @Get('revocations/:id')
  @AdminRead('Read a revocation\'s status')
  revocation(@Param('id') id: string) {
    return this.revocations.get(id);
  }
}
