import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, UseFilters, UseGuards } from '@nestjs/common';
import { FlowErrorFilter } from '../http/flow-error.filter';
import { AuthInternalApiGuard, InternalCallers } from '../internal/internal-api.guard';
import { UpstreamIdpsService } from './upstream-idps.service';

/**
 * The internal API for upstream providers (admin API and operators):
 *   POST   /internal/upstream-idps        { id, display_name, issuer, client_id, client_secret,
 *                                          token_endpoint_auth_method?, scopes?, claim_mapping?,
 *                                          trust_email_verified?, enabled? }
 *   GET    /internal/upstream-idps
 *   GET    /internal/upstream-idps/{id}
 *   PATCH  /internal/upstream-idps/{id}   any field but id; issuer only while no account is linked (else 409)
 *   DELETE /internal/upstream-idps/{id}   with every link to it
 * The client secret is write-only. Each answer names the redirect URI to register upstream.
 */
@Controller('internal/upstream-idps')
@UseGuards(AuthInternalApiGuard)
@InternalCallers('admin-api', 'operator')
@UseFilters(FlowErrorFilter)
export class UpstreamIdpsController {
  constructor(private readonly idps: UpstreamIdpsService) {}

  @Post()
  @HttpCode(201)
  async create(@Body() body: unknown) {
    return this.idps.view(await this.idps.create(body));
  }

  @Get()
  async list() {
    return (await this.idps.list()).map((idp) => this.idps.view(idp));
  }

  @Get(':id')
  async read(@Param('id') id: string) {
    return this.idps.view(await this.idps.require(id));
  }

  @Patch(':id')
  async update(@Param('id') id: string, @Body() body: unknown) {
    return this.idps.view(await this.idps.update(id, body));
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@Param('id') id: string) {
    await this.idps.delete(id);
  }
}
