import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { Strategy } from 'passport-custom';
import { authenticateWithCode, MFA_STRATEGY } from './code-authentication';
import { EmailCodesService } from './email-codes.service';
import { PendingSecondFactors, type SecondFactorAuthentication } from './pending-second-factor';
import { SecondFactorAttempts } from './second-factor-attempts';

/** The code mailed for this login session. */
@Injectable()
export class EmailCodeStrategy extends PassportStrategy(Strategy, MFA_STRATEGY.emailCode) {
  constructor(
    private readonly pending: PendingSecondFactors,
    private readonly attempts: SecondFactorAttempts,
    private readonly emailCodes: EmailCodesService,
  ) {
    super();
  }

  validate(req: FastifyRequest): Promise<SecondFactorAuthentication> {
    return authenticateWithCode(req, this.pending, this.attempts, ({ session }, code) => this.emailCodes.verify(session, code));
  }
}
