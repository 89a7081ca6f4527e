import { Controller, Delete, Get, HttpCode, Param, Query, UseFilters, UseGuards } from '@nestjs/common';
import { GrantsService } from '../../grants/grants.service';
import { OAuthErrorFilter } from '../oauth-error.filter';
import { InternalApiGuard, InternalCallers } from './internal-api.guard';

/** Grants per user: the auth-service's account API lists and revokes them; admins too. */
@Controller('internal/grants')
@UseGuards(InternalApiGuard)
@InternalCallers('auth-service', 'admin-api', 'operator')
@UseFilters(OAuthErrorFilter)
export class InternalGrantsController {
  constructor(private readonly grants: GrantsService) {}

  @Get()
  list(@Query('sub') sub: string) {
    return this.grants.listForUser(sub);
  }

  /** `?sub=` restricts the revocation to that user's grant (the account pages pass it). */
  @Delete(':id')
  @HttpCode(204)
  async revoke(@Param('id') id: string, @Query('sub') sub?: string) {
    await this.grants.revoke(id, sub);
  }
}
