import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { Strategy } from 'passport-custom';
import type { Authentication } from '../authenticators/authentication';
import { PendingSecondFactors, type SecondFactorAuthentication } from '../mfa/pending-second-factor';
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

/**
 * A passkey as the second factor of the browser's session (after a password, or a step-up).
 * The login it completes is found by the rule every second factor follows
 * (`PendingSecondFactors`): a password step at most 15 minutes old, or a signed-in session
 * the challenge lets go on without a fresh login. A touch of a key must not stand in for the
 * password that `prompt=login` or an exceeded `max_age` asks for.
 */
@Injectable()
export class PasskeySecondFactorStrategy extends PassportStrategy(Strategy, PASSKEY_STRATEGY.secondFactor) {
  constructor(
    private readonly assertions: PasskeyAssertions,
    private readonly pending: PendingSecondFactors,
  ) {
    super();
  }

  async validate(req: FastifyRequest): Promise<SecondFactorAuthentication> {
    // The login first: an assertion for a login that may not be completed consumes nothing.
    const login = await this.pending.of(req);
    const { possession } = await this.assertions.verify(req, 'second_factor', login.session.sub);
    return { ...login, amr: [possession] };
  }
}
