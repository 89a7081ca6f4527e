import { Controller, Get, HttpCode, Param, Post, Query, UseFilters, UseGuards } from '@nestjs/common';
import { DeadLetters, UnreplayableDeadLetterError } from '@tessera/events';
import { InvalidRequestError, NotFoundError } from '@tessera/oauth-errors';
import { OAuthErrorFilter } from '../oauth-error.filter';
import { InternalApiGuard, InternalCallers } from './internal-api.guard';

/**
 * This service's dead-lettered events, for the admin API: list them, and replay one once its cause
 * is fixed. The path names the service: in embedded mode every service shares one internal listener.
 */
@Controller('internal/dead-letters/token-service')
@UseGuards(InternalApiGuard)
@InternalCallers('admin-api', 'operator')
@UseFilters(OAuthErrorFilter)
export class InternalDeadLettersController {
  constructor(private readonly letters: DeadLetters) {}

  @Get()
  list(@Query('limit') limit?: string) {
    if (limit !== undefined && (!/^\d{1,4}$/.test(limit) || Number(limit) < 1 || Number(limit) > 1000)) throw new InvalidRequestError('limit must be from 1 to 1000.');
    return this.letters.list(limit === undefined ? 100 : Number(limit));
  }

  @Post(':id/retry')
  @HttpCode(202)
  async retry(@Param('id') id: string) {
    try {
      if (!(await this.letters.retry(id))) throw new NotFoundError('No such dead letter.');
    } catch (err) {
      if (err instanceof UnreplayableDeadLetterError) throw new InvalidRequestError(err.message);
      throw err;
    }
    return { retried: id };
  }
}
