import { Body, Controller, Get, HttpCode, Param, Post, UseFilters, UseGuards } from '@nestjs/common';
import { ConflictError, InvalidRequestError, NotFoundError } from '@tessera/oauth-errors';
import { SIGNING_ALGS, type SigningAlgorithm } from '../../clients/client';
import { SigningKeysService } from '../../keys/signing-keys.service';
import { OAuthErrorFilter } from '../oauth-error.filter';
import { InternalApiGuard, InternalCallers } from './internal-api.guard';

@Controller('internal/keys')
@UseGuards(InternalApiGuard)
@InternalCallers('admin-api', 'operator')
@UseFilters(OAuthErrorFilter)
export class InternalKeysController {
  constructor(private readonly keys: SigningKeysService) {}

  @Get()
  list() {
    return this.keys.describe();
  }

  /** Unpublishes a key already rotated out (its tokens stop verifying at once); 409 for a key still in use. */
  @Post(':kid/retire')
  @HttpCode(200)
  async retire(@Param('kid') kid: string) {
    const outcome = await this.keys.retireNow(kid);
    if (!outcome) throw new NotFoundError('No such key.');
    if (outcome === 'in_use') throw new ConflictError('This key is in use (current or next); rotate first, then retire it.');
    return { retired: kid };
  }

  /** Rotates one algorithm's key, or every algorithm's when none is named. */
  @Post('rotate')
  async rotate(@Body() body: unknown) {
    const alg = (body as { alg?: unknown } | undefined)?.alg;
    if (alg !== undefined && !SIGNING_ALGS.includes(alg as SigningAlgorithm)) {
      throw new InvalidRequestError(`alg must be one of: ${SIGNING_ALGS.join(', ')}.`);
    }
    const algs = alg ? [alg as SigningAlgorithm] : [...SIGNING_ALGS];
    const rotated = [];
    for (const a of algs) rotated.push({ alg: a, ...(await this.keys.rotate(a)) });
    return { rotated };
  }
}
