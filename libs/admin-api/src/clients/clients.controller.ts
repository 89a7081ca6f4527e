import { ApiTags } from '@nestjs/swagger';
import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Patch, Post, Put, Query, Req, UseFilters, UseGuards } from '@nestjs/common';
import { AdminGuard, type AdminRequest } from '../auth/admin.guard';
import { AdminRead, AdminWrite } from '../auth/scopes';
import { AuditLog } from '../audit/audit-log';
import { Idempotency } from '../http/idempotency';
import { ProblemDetailsFilter } from '../http/problem-details.filter';
import { decodeCursor, encodeCursor, objectBody, pageSize, pathId, single } from '../http/request-input';
import { Problem } from '../http/problem';
import { RevocationsService } from '../revocations/revocations.service';
import { TokenServiceApi } from '../upstream/internal-api';

type ClientView = Record<string, unknown> & { client_id: string; client_name?: string; built_in?: boolean };

/**
 * Clients: everything RFC 7591 describes plus Tessera's policy (token format and audience,
 * lifetimes, refresh-token trust, grants, MFA policy, scopes marked required or optional,
 * first-party consent skipping), kept by the token service; this API adds who may, paging and
 * search, idempotent creates, the audit trail, and revocation everywhere.
 *
 * Built-in clients (`built_in: true`: the portal's and tessera-cli) are the token service's to
 * protect: it refuses to delete or disable them, to rotate their secret, and to change more than
 * their name, lifetimes and sign-in requirements. Those refusals are 409 `built_in_client` here.
 */
@Controller('admin/api/clients')
@UseGuards(AdminGuard)
@ApiTags('clients')
@UseFilters(ProblemDetailsFilter)
export class ClientsController {
  constructor(
    private readonly tokenService: TokenServiceApi,
    private readonly audit: AuditLog,
    private readonly idempotency: Idempotency,
    private readonly revocations: RevocationsService,
  ) {}

  /** `?q=` matches the id or the name (case-insensitive); `?cursor=&limit=` pages in id order. */
  @Get()
  @AdminRead('List clients (search with q, page with cursor)')
  async list(@Query() query: Record<string, unknown>) {
    const limit = pageSize(query);
    const after = decodeCursor(query);
    const q = single(query, 'q')?.toLowerCase();
    const all = await this.tokenService.call<ClientView[]>('GET', '/internal/clients');
    const matching = all
      .filter((c) => !q || c.client_id.toLowerCase().includes(q) || (c.client_name ?? '').toLowerCase().includes(q))
      .sort((a, b) => (a.client_id < b.client_id ? -1 : a.client_id > b.client_id ? 1 : 0))
      .filter((c) => after === undefined || c.client_id > after);
    const page = matching.slice(0, limit);
    return { items: page, ...(matching.length > limit ? { next_cursor: encodeCursor(page[page.length - 1].client_id) } : {}) };
  }

  /** The secret, for a confidential client, is in this answer only (and in a replay of it with the same Idempotency-Key). */
  @Post()
  @HttpCode(201)
  @AdminWrite('Create a client')
  async create(@Body() body: unknown, @Req() req: AdminRequest, @Headers('idempotency-key') key?: string | string[]) {
    const metadata = objectBody(body);
    return this.idempotency.run(req.actor, 'POST /admin/api/clients', key, metadata, async () => {
      const created = await this.tokenService.call<ClientView>('POST', '/internal/clients', metadata);
      await this.audit.action(req.actor, 'client.created', { clientId: created.client_id, details: { client_name: created.client_name } });
      return created;
    });
  }

  @Get(':id')
  @AdminRead('Read a client')
  read(@Param('id') id: string) {
    return this.tokenService.call<ClientView>('GET', `/internal/clients/${encodeURIComponent(pathId(id, 'client'))}`);
  }

  /** Replaces the metadata (RFC 7592 §2.2: omitted fields take their defaults). */
  @Put(':id')
  @AdminWrite('Replace a client\'s metadata')
  async replace(@Param('id') id: string, @Body() body: unknown, @Req() req: AdminRequest) {
    const metadata = objectBody(body);
    const updated = await this.clientCall<ClientView>(id, 'PUT', '', metadata);
    await this.audit.action(req.actor, 'client.updated', { clientId: updated.client_id, details: { fields: Object.keys(metadata).sort() } });
    return updated;
  }

  /** Changes the fields given and keeps the others (`null` resets one to its default). */
  @Patch(':id')
  @AdminWrite('Change some of a client\'s metadata')
  async update(@Param('id') id: string, @Body() body: unknown, @Req() req: AdminRequest) {
    const changes = objectBody(body);
    if ('client_id' in changes) throw Problem.badRequest('client_id cannot be changed.');
    const current = await this.read(id);
    const merged: Record<string, unknown> = { ...writableMetadata(current), ...changes };
    for (const [k, v] of Object.entries(changes)) if (v === null) delete merged[k];
    const updated = await this.clientCall<ClientView>(id, 'PUT', '', merged);
    await this.audit.action(req.actor, 'client.updated', { clientId: updated.client_id, details: { fields: Object.keys(changes).sort() } });
    return updated;
  }

  @Delete(':id')
  @HttpCode(204)
  @AdminWrite('Delete a client')
  async remove(@Param('id') id: string, @Req() req: AdminRequest) {
    await this.clientCall(id, 'DELETE');
    await this.audit.action(req.actor, 'client.deleted', { clientId: id });
  }

  /** A new secret, shown in this answer only; the old one stops working at once. */
  @Post(':id/secret')
  @HttpCode(200)
  @AdminWrite('Rotate a client\'s secret (shown once)')
  async rotateSecret(@Param('id') id: string, @Req() req: AdminRequest) {
    const rotated = await this.clientCall<ClientView>(id, 'POST', '/secret');
    await this.audit.action(req.actor, 'client.secret_rotated', { clientId: id });
    return rotated;
  }

  /** A disabled client gets nothing (token endpoint 401, authorize error page, its tokens inactive) until enabled again. */
  @Post(':id/disable')
  @HttpCode(200)
  @AdminWrite('Disable a client', 'It gets nothing, and its tokens read inactive, until it is enabled; to end its tokens for good, revoke its access.')
  async disable(@Param('id') id: string, @Req() req: AdminRequest) {
    const client = await this.clientCall<ClientView>(id, 'POST', '/disable');
    await this.audit.action(req.actor, 'client.disabled', { clientId: id });
    return client;
  }

  @Post(':id/enable')
  @HttpCode(200)
  @AdminWrite('Enable a client again')
  async enable(@Param('id') id: string, @Req() req: AdminRequest) {
    const client = await this.clientCall<ClientView>(id, 'POST', '/enable');
    await this.audit.action(req.actor, 'client.enabled', { clientId: id });
    return client;
  }

  /**
   * Revoke access everywhere: every grant, refresh token, reference token and OP session of the
   * client, for all users (`{ "disable_client": true }` also disables it). 202 with the
   * revocation; its status is at /admin/api/revocations/{id}. A built-in client's access may be
   * revoked (everyone signs in again), but it is not disabled: asked to, this refuses at once
   * rather than let the token service skip it later.
   */
  @Post(':id/revocations')
  @HttpCode(202)
  @AdminWrite('Revoke a client\'s access everywhere')
  async revoke(@Param('id') id: string, @Body() body: unknown, @Req() req: AdminRequest) {
    const input = body === undefined ? {} : objectBody(body);
    const unknown = Object.keys(input).filter((k) => k !== 'disable_client');
    if (unknown.length) throw Problem.badRequest(`Unknown fields: ${unknown.join(', ')}.`);
    if (input['disable_client'] !== undefined && typeof input['disable_client'] !== 'boolean') throw Problem.badRequest('disable_client must be true or false.');
    const client = await this.read(id);
    if (client.built_in && input['disable_client'] === true) {
      throw builtInClient(`"${client.client_id}" is a built-in client: it cannot be disabled. Revoke its access without disable_client.`);
    }
    return this.revocations.request(req.actor, { clientId: id, disableClient: input['disable_client'] === true });
  }

  /**
   * A call of the token service about one client (`suffix`: its sub-resource). Its 409 on a
   * built-in client is the refusal of what may not be done to one: `built_in_client`, in its words.
   */
  private async clientCall<T = Record<string, unknown>>(id: string, method: string, suffix = '', body?: unknown): Promise<T> {
    const path = `/internal/clients/${encodeURIComponent(pathId(id, 'client'))}`;
    try {
      return await this.tokenService.call<T>(method, `${path}${suffix}`, body);
    } catch (err) {
      if (!(err instanceof Problem && err.status === 409)) throw err;
      const client = await this.tokenService.call<ClientView>('GET', path).catch(() => undefined);
      throw client?.built_in ? builtInClient(err.detail) : err;
    }
  }
}

/** What a client's admin view holds that its registration accepts back (not ids, times or computed fields). */
function writableMetadata(view: ClientView): Record<string, unknown> {
  const {
    client_id: _id,
    client_id_issued_at: _issued,
    client_secret_expires_at: _expires,
    dynamic: _dynamic,
    revoked_before: _revoked,
    scope: _scope,
    built_in: _builtIn,
    ...rest
  } = view;
  return rest;
}

const builtInClient = (detail: string) => new Problem(409, 'built_in_client', detail);
