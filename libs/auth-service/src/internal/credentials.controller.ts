import { Body, Controller, HttpCode, Post, Req, UseFilters, UseGuards } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { isIP } from 'node:net';
import { PasswordStrategy } from '../authenticators/password.strategy';
import { FlowError } from '../http/flow-error';
import { FlowErrorFilter } from '../http/flow-error.filter';
import { SecondFactors } from '../mfa/second-factors';
import { normalizeEmail } from '../users/email';
import { AuthInternalApiGuard, InternalCallers } from './internal-api.guard';
import { nowSeconds, AUTH_CLOCK, AUTH_SERVICE_DATA_SOURCE, type Clock } from '../auth-service.tokens';
import { Inject } from '@nestjs/common';
import { inTransaction, Outbox } from '@tessera/events';
import type { DataSource } from 'typeorm';

/**
 * The credential check behind the legacy password grant (RFC 6749 §4.3), for the token service
 * only: `{ username, password, client_id, ip }` → `{ sub, amr, auth_time }`. The end user's IP
 * (which the token service saw) is throttled like a browser login; users with a second factor
 * cannot use the grant (it has no way to ask for one).
 */
@Controller('internal/credentials')
@UseGuards(AuthInternalApiGuard)
@InternalCallers('token-service')
@UseFilters(FlowErrorFilter)
export class InternalCredentialsController {
  constructor(
    private readonly password: PasswordStrategy,
    private readonly factors: SecondFactors,
    @Inject(AUTH_CLOCK) private readonly clock: Clock,
    @Inject(AUTH_SERVICE_DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
  ) {}

  @Post('check')
  @HttpCode(200)
  async check(@Body() body: unknown, @Req() req: FastifyRequest) {
    const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    const { username, password, client_id, ip } = b;
    if (typeof username !== 'string' || typeof password !== 'string' || !username || !password || password.length > 1024) {
      throw new FlowError('invalid_request', 'username and password are required.');
    }
    if (typeof ip !== 'string' || !isIP(ip)) throw new FlowError('invalid_request', "ip must be the end user's IP address.");
    let account: string;
    try {
      account = normalizeEmail(username);
    } catch {
      throw new FlowError('invalid_credentials', 'The username or password is not correct.');
    }
    const auth = await this.password.check(req, account, password, typeof client_id === 'string' ? client_id : undefined, ip);
    if (await this.factors.requiredFor(auth.user.sub)) {
      throw new FlowError('second_factor_required', 'This account uses two-step verification, which the password grant cannot do; sign in through the browser.');
    }
    // A sign-in like a browser's, for the audit log (failures are recorded by the password check).
    await inTransaction(this.dataSource, (manager) =>
      this.outbox.add(manager, 'login.succeeded', { sub: auth.user.sub, ip, ...(typeof client_id === 'string' && client_id ? { clientId: client_id } : {}) }),
    );
    return { sub: auth.user.sub, amr: auth.amr, auth_time: nowSeconds(this.clock) };
  }
}
