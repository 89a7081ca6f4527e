import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, UseFilters, UseGuards } from '@nestjs/common';
import type { Client } from '../../clients/client';
import { clientMetadataView } from '../../clients/client-metadata';
import { ClientsService } from '../../clients/clients.service';
import { OAuthErrorFilter } from '../oauth-error.filter';
import { InternalApiGuard, InternalCallers } from './internal-api.guard';

/**
 * Client management for the admin API (and the operator's CLI): all of a client's policy.
 *
 * A client is turned off and on again with `POST /internal/clients/{id}/disable` and `/enable`,
 * not through PUT: `disabled` is shown in the policy view but, like `revoked_before`, is not
 * metadata. A PUT replaces the metadata (omitted fields take their defaults), and an edit that
 * happened to omit the field must never switch a disabled client back on; the two routes also
 * let a caller change the state without sending, or racing, the rest of the client.
 */
@Controller('internal/clients')
@UseGuards(InternalApiGuard)
@InternalCallers('admin-api', 'operator')
@UseFilters(OAuthErrorFilter)
export class InternalClientsController {
  constructor(private readonly clients: ClientsService) {}

  @Post()
  @HttpCode(201)
  async create(@Body() body: unknown) {
    const { client, clientSecret } = await this.clients.create(body, 'managed');
    return { ...adminView(client), ...(clientSecret ? { client_secret: clientSecret } : {}) };
  }

  @Get()
  async list() {
    return (await this.clients.list()).map((c) => adminView(c));
  }

  @Get(':clientId')
  async read(@Param('clientId') clientId: string) {
    return adminView(await this.clients.get(clientId));
  }

  @Put(':clientId')
  async update(@Param('clientId') clientId: string, @Body() body: unknown) {
    const { client, clientSecret } = await this.clients.update(clientId, body, 'managed');
    return { ...adminView(client), ...(clientSecret ? { client_secret: clientSecret } : {}) };
  }

  @Delete(':clientId')
  @HttpCode(204)
  async remove(@Param('clientId') clientId: string) {
    await this.clients.delete(clientId);
  }

  @Post(':clientId/secret')
  async rotateSecret(@Param('clientId') clientId: string) {
    const { client, clientSecret } = await this.clients.rotateSecret(clientId);
    return { ...adminView(client), client_secret: clientSecret };
  }

  /**
   * Disabled: nothing new is issued to the client and its tokens are inactive until it is
   * enabled again. Idempotent; both answer the client's policy view.
   */
  @Post(':clientId/disable')
  @HttpCode(200)
  async disable(@Param('clientId') clientId: string) {
    return adminView(await this.clients.setDisabled(clientId, true));
  }

  @Post(':clientId/enable')
  @HttpCode(200)
  async enable(@Param('clientId') clientId: string) {
    return adminView(await this.clients.setDisabled(clientId, false));
  }

  /** Revoke all access: every token the client holds stops working at once. */
  @Post(':clientId/revoke')
  async revokeAll(@Param('clientId') clientId: string) {
    return adminView(await this.clients.revokeAll(clientId));
  }
}

const adminView = (client: Client) => clientMetadataView(client, { policy: true });
