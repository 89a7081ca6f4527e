import { Controller, Get, Query, UseFilters, UseGuards } from '@nestjs/common';
import { InvalidRequestError } from '@tessera/oauth-errors';
import {
  BACKCHANNEL_DELIVERY_STATUSES,
  BackchannelDeliveryStore,
  type BackchannelDelivery,
  type BackchannelDeliveryStatus,
} from '../../ports/backchannel-delivery.store';
import { OAuthErrorFilter } from '../oauth-error.filter';
import { InternalApiGuard, InternalCallers } from './internal-api.guard';

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;

/**
 * Back-channel logout deliveries for the admin API (and the operator): which clients were
 * notified of which logout, which are still being retried, which failed after the last retry
 * and why. The most recently updated first.
 */
@Controller('internal/backchannel-deliveries')
@UseGuards(InternalApiGuard)
@InternalCallers('admin-api', 'operator')
@UseFilters(OAuthErrorFilter)
export class InternalBackchannelDeliveriesController {
  constructor(private readonly deliveries: BackchannelDeliveryStore) {}

  @Get()
  async list(@Query() query: Record<string, unknown>) {
    const clientId = single(query, 'client_id');
    if (clientId !== undefined && (clientId === '' || clientId.length > 255)) throw new InvalidRequestError('client_id must be a client id.');
    const status = single(query, 'status');
    if (status !== undefined && !isStatus(status)) {
      throw new InvalidRequestError(`status must be one of: ${BACKCHANNEL_DELIVERY_STATUSES.join(', ')}.`);
    }
    const limitParam = single(query, 'limit');
    const limit = limitParam === undefined ? DEFAULT_LIMIT : Number(limitParam);
    if (!/^\d+$/.test(limitParam ?? '1') || !Number.isSafeInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
      throw new InvalidRequestError(`limit must be a whole number from 1 to ${MAX_LIMIT}.`);
    }
    return (await this.deliveries.list({ clientId, status, limit })).map(view);
  }
}

function single(query: Record<string, unknown>, name: string): string | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new InvalidRequestError(`${name} must be given once.`);
  return value;
}

const isStatus = (value: string): value is BackchannelDeliveryStatus => (BACKCHANNEL_DELIVERY_STATUSES as readonly string[]).includes(value);

function view(d: BackchannelDelivery) {
  return {
    event_id: d.eventId,
    client_id: d.clientId,
    sub: d.sub,
    sid: d.sid,
    status: d.status,
    attempts: d.attempts,
    last_error: d.lastError,
    created_at: d.createdAt,
    updated_at: d.updatedAt,
  };
}
