import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { Strategy } from 'passport-custom';
import { authenticateWithCode, MFA_STRATEGY } from './code-authentication';
import { TotpService } from './totp.service';
import { PendingSecondFactors, type SecondFactorAuthentication } from './pending-second-factor';
import { SecondFactorAttempts } from './second-factor-attempts';

/** A code from the user's authenticator app (RFC 6238). */
@Injectable()
export class TotpStrategy extends PassportStrategy(Strategy, MFA_STRATEGY.totp) {
  constructor(
    private readonly pending: PendingSecondFactors,
    private readonly attempts: SecondFactorAttempts,
    private readonly totp: TotpService,
  ) {
    super();
  }

  validate(req: FastifyRequest): Promise<SecondFactorAuthentication> {
    return authenticateWithCode(req, this.pending, this.attempts, ({ user }, code) => this.totp.verifyLogin(user.sub, code));
  }
}
