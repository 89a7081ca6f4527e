import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { Strategy } from 'passport-custom';
import { authenticateWithCode, MFA_STRATEGY } from './code-authentication';
import { RecoveryCodesService } from './recovery-codes.service';
import { PendingSecondFactors, type SecondFactorAuthentication } from './pending-second-factor';
import { SecondFactorAttempts } from './second-factor-attempts';

/** One of the user's recovery codes (used up by this login). */
@Injectable()
export class RecoveryCodeStrategy extends PassportStrategy(Strategy, MFA_STRATEGY.recoveryCode) {
  constructor(
    private readonly pending: PendingSecondFactors,
    private readonly attempts: SecondFactorAttempts,
    private readonly recoveryCodes: RecoveryCodesService,
  ) {
    super();
  }

  validate(req: FastifyRequest): Promise<SecondFactorAuthentication> {
    return authenticateWithCode(req, this.pending, this.attempts, ({ user }, code) => this.recoveryCodes.consume(user.sub, code));
  }
}
