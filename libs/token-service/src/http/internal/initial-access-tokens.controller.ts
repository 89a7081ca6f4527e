import { Body, Controller, Delete, Get, HttpCode, Param, Post, UseFilters, UseGuards } from '@nestjs/common';
import { InitialAccessTokensService, initialAccessTokenView } from '../../clients/initial-access-tokens.service';
import { OAuthErrorFilter } from '../oauth-error.filter';
import { InternalApiGuard, InternalCallers } from './internal-api.guard';

/** Initial access tokens for dynamic registration (RFC 7591 §3), for the admin API: create (the value shown once), list, revoke. */
@Controller('internal/initial-access-tokens')
@UseGuards(InternalApiGuard)
@InternalCallers('admin-api', 'operator')
@UseFilters(OAuthErrorFilter)
export class InternalInitialAccessTokensController {
  constructor(private readonly tokens: InitialAccessTokensService) {}

  @Post()
  @HttpCode(201)
  async create(@Body() body: unknown) {
    const { token, value } = await this.tokens.create(body);
    return { ...initialAccessTokenView(token), initial_access_token: value };
  }

  @Get()
  async list() {
    return (await this.tokens.list()).map(initialAccessTokenView);
  }

  @Delete(':id')
  @HttpCode(204)
  async revoke(@Param('id') id: string) {
    await this.tokens.revoke(id);
  }
}
