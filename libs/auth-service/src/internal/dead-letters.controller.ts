import { Controller, Get, HttpCode, Param, Post, Query, UseFilters, UseGuards } from '@nestjs/common';
import { DeadLetters, UnreplayableDeadLetterError } from '@tessera/events';
import { FlowError } from '../http/flow-error';
import { FlowErrorFilter } from '../http/flow-error.filter';
import { AuthInternalApiGuard, InternalCallers } from './internal-api.guard';

/**
 * This service's dead-lettered events, for the admin API: list them, and replay one once its cause
 * is fixed. The path names the service: in embedded mode every service shares one internal listener.
 */
@Controller('internal/dead-letters/auth-service')
@UseGuards(AuthInternalApiGuard)
@InternalCallers('admin-api', 'operator')
@UseFilters(FlowErrorFilter)
export class InternalDeadLettersController {
  constructor(private readonly letters: DeadLetters) {}

  @Get()
  list(@Query('limit') limit?: string) {
    if (limit !== undefined && (!/^\d{1,4}$/.test(limit) || Number(limit) < 1 || Number(limit) > 1000)) throw new FlowError('invalid_request', 'limit must be from 1 to 1000.');
    return this.letters.list(limit === undefined ? 100 : Number(limit));
  }

  @Post(':id/retry')
  @HttpCode(202)
  async retry(@Param('id') id: string) {
    try {
      if (!(await this.letters.retry(id))) throw new FlowError('not_found', 'No such dead letter.');
    } catch (err) {
      if (err instanceof UnreplayableDeadLetterError) throw new FlowError('invalid_request', err.message);
      throw err;
    }
    return { retried: id };
  }
}
