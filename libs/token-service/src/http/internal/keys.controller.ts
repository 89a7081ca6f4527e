import { Body, Controller, Get, Post, UseFilters, UseGuards } from '@nestjs/common';
import { InvalidRequestError } from '@tessera/oauth-errors';
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
