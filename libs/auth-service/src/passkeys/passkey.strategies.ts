import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { Strategy } from 'passport-custom';
import type { Authentication } from '../authenticators/authentication';
import { FlowError } from '../http/flow-error';
import { LoginSessionsService } from '../sessions/login-sessions.service';
import { PasskeyAssertions } from './passkey-assertions';

/**
 * The passport strategy names of the two passkey authenticators. They are two because they
 * prove different things from different inputs: the login one identifies the user from a
 * discoverable credential; the second-factor one checks a credential of the browser's session user.
 */
export const PASSKEY_STRATEGY = {
  login: 'tessera-passkey',
  secondFactor: 'tessera-passkey-second-factor',
} as const;

/**
 * Passwordless login (a first factor): a discoverable credential with user verification is a
 * possession factor and a knowledge or biometric one at once, so it is multi-factor by itself
 * (RFC 8176: `hwk` or `swk`, `user`, `mfa`) and the login flow asks for no second factor.
 */
@Injectable()
export class PasskeyLoginStrategy extends PassportStrategy(Strategy, PASSKEY_STRATEGY.login) {
  constructor(private readonly assertions: PasskeyAssertions) {
    super();
  }

  async validate(req: FastifyRequest): Promise<Authentication> {
    const { user, possession } = await this.assertions.verify(req, 'login');
    return { user, amr: [possession, 'user', 'mfa'] };
  }
}

/** A passkey as the second factor of the browser's session (after a password, or a step-up). */
@Injectable()
export class PasskeySecondFactorStrategy extends PassportStrategy(Strategy, PASSKEY_STRATEGY.secondFactor) {
  constructor(
    private readonly assertions: PasskeyAssertions,
    private readonly sessions: LoginSessionsService,
  ) {
    super();
  }

  async validate(req: FastifyRequest): Promise<Authentication> {
    const session = await this.sessions.fromRequest(req);
    if (!session) throw new FlowError('login_required', 'There is no sign-in in progress in this browser; sign in first.');
    const { user, possession } = await this.assertions.verify(req, 'second_factor', session.sub);
    return { user, amr: [possession] };
  }
}
