import { Body, Controller, Delete, Get, HttpCode, Param, Post, UseFilters, UseGuards } from '@nestjs/common';
import type { ResourceServer } from '../../ports/resource-server.store';
import { ResourceServersService } from '../../resources/resource-servers.service';
import { OAuthErrorFilter } from '../oauth-error.filter';
import { InternalApiGuard, InternalCallers } from './internal-api.guard';

@Controller('internal/resource-servers')
@UseGuards(InternalApiGuard)
@InternalCallers('admin-api', 'operator')
@UseFilters(OAuthErrorFilter)
export class InternalResourceServersController {
  constructor(private readonly resourceServers: ResourceServersService) {}

  @Post()
  @HttpCode(201)
  async create(@Body() body: unknown) {
    return view(await this.resourceServers.register(body));
  }

  @Get()
  async list() {
    return (await this.resourceServers.list()).map(view);
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@Param('id') id: string) {
    await this.resourceServers.remove(id);
  }
}

const view = (rs: ResourceServer) => ({
  id: rs.id,
  identifier: rs.identifier,
  name: rs.name,
  scopes: rs.scopes,
  access_token_format: rs.accessTokenFormat,
  client_id: rs.clientId,
  created_at: rs.createdAt,
});
