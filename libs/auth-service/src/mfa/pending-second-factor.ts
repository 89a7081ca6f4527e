import { Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AUTH_CLOCK, nowSeconds, type Clock } from '../auth-service.tokens';
import type { Authentication } from '../authenticators/authentication';
import type { UserEntity } from '../database/entities/user.entity';
import { LoginFlowService } from '../flows/login-flow.service';
import { FlowError } from '../http/flow-error';
import { LoginSessionsService, type LoginSession } from '../sessions/login-sessions.service';
import type { ChallengeView } from '../token-service/token-service.client';
import { UsersService } from '../users/users.service';

/** How long after the password a second factor may still complete the login. */
export const SECOND_FACTOR_STAGE_TTL = 900;

/** A login waiting for (or stepping up with) a second factor: the browser's session, the challenge, the user. */
export interface PendingSecondFactor {
  session: LoginSession;
  challenge: ChallengeView;
  user: UserEntity;
}

/** What a second-factor strategy proves: the factor, plus the session and challenge it completes. */
export interface SecondFactorAuthentication extends Authentication, PendingSecondFactor {}

type Body = Record<string, unknown>;

export const bodyOf = (req: FastifyRequest): Body => (req.body && typeof req.body === 'object' && !Array.isArray(req.body) ? (req.body as Body) : {});

/** The `code` of a request body: a short string, else `invalid_request`. */
export function codeOf(req: FastifyRequest): string {
  const code = bodyOf(req)['code'];
  if (typeof code !== 'string' || !code.trim() || code.length > 64) throw new FlowError('invalid_request', 'code is required.');
  return code;
}

/**
 * Finds the login a second factor applies to, before any code is looked at (so that a bad
 * challenge never costs a recovery code): the browser's session at stage `second_factor`
 * (after a password, for a few minutes), or a signed-in session that may answer the challenge
 * apart from MFA (a step-up: the challenge must not ask for a fresh login or a younger one).
 */
@Injectable()
export class PendingSecondFactors {
  constructor(
    private readonly sessions: LoginSessionsService,
    private readonly flow: LoginFlowService,
    private readonly users: UsersService,
    @Inject(AUTH_CLOCK) private readonly clock: Clock,
  ) {}

  async of(req: FastifyRequest): Promise<PendingSecondFactor> {
    const session = await this.sessions.fromRequest(req);
    if (!session) throw new FlowError('login_required', 'No sign-in is waiting for a second factor in this browser; sign in first.');
    if (session.stage === 'second_factor' && nowSeconds(this.clock) - session.authTime > SECOND_FACTOR_STAGE_TTL) {
      throw new FlowError('login_required', 'This sign-in took too long; start again with your password.');
    }
    const challenge = await this.flow.loginChallenge(bodyOf(req)['login_challenge']);
    if (session.stage === 'authenticated' && !this.flow.canContinue(challenge, session).ok) {
      throw new FlowError('login_required', 'This request needs a fresh sign-in; start again with your password.');
    }
    const user = await this.users.find(session.sub);
    if (!user) throw new FlowError('login_required', 'No sign-in is waiting for a second factor in this browser; sign in first.');
    if (user.status !== 'active') throw new FlowError('forbidden', `This account is ${user.status}. Contact the administrator.`);
    return { session, challenge, user };
  }
}
