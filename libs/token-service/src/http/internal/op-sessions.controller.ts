import { Controller, Get, Inject, Query, UseFilters, UseGuards } from '@nestjs/common';
import { InvalidRequestError } from '@tessera/oauth-errors';
import { CLOCK, epochSeconds, type Clock } from '../../clock';
import { ClientsService } from '../../clients/clients.service';
import { OpSessionStore } from '../../ports/op-session.store';
import { OAuthErrorFilter } from '../oauth-error.filter';
import { InternalApiGuard, InternalCallers } from './internal-api.guard';

/**
 * A user's live OP sessions with the clients each one served and when, for the account page's
 * session list (which apps a browser signed in to, when it was last active) and the admin API.
 * Grouped by the login session they stand on: that is the session a person sees and ends.
 */
@Controller('internal/op-sessions')
@UseGuards(InternalApiGuard)
@InternalCallers('auth-service', 'admin-api', 'operator')
@UseFilters(OAuthErrorFilter)
export class InternalOpSessionsController {
  constructor(
    private readonly sessions: OpSessionStore,
    private readonly clients: ClientsService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get()
  async list(@Query('sub') sub: unknown) {
    if (typeof sub !== 'string' || sub === '' || sub.length > 255) throw new InvalidRequestError('sub is required: one user id.');
    const sessions = await this.sessions.listActiveBySub(sub, epochSeconds(this.clock));
    const names = new Map<string, string | undefined>();
    for (const clientId of new Set(sessions.flatMap((s) => s.clients.map((c) => c.clientId)))) {
      names.set(clientId, (await this.clients.find(clientId))?.clientName);
    }
    return sessions.map((s) => ({
      sid: s.sid,
      login_session_id: s.loginSessionId,
      created_at: s.createdAt,
      auth_time: s.authTime,
      expires_at: s.expiresAt,
      clients: s.clients.map((c) => ({ client_id: c.clientId, client_name: names.get(c.clientId), first_used_at: c.firstUsedAt, last_used_at: c.lastUsedAt })),
    }));
  }
}
