import { Inject, Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DataSource } from 'typeorm';
import { inTransaction, Outbox } from '@tessera/events';
import { AUTH_CLOCK, AUTH_SERVICE_DATA_SOURCE, nowSeconds, type Clock } from '../auth-service.tokens';
import type { Authentication } from '../authenticators/authentication';
import { AUTH_SERVICE_CONFIG, type AuthServiceConfig } from '../config/auth-service-config';
import { clientIp } from '@tessera/runtime';
import { FlowError } from '../http/flow-error';
import { SecondFactors } from '../mfa/second-factors';
import { LoginSessionsService, type LoginSession } from '../sessions/login-sessions.service';
import { LoginThrottle } from '../throttle/login-throttle';
import { TokenServiceClient, type ChallengeView, MAX_CHALLENGE_VALUE_LENGTH } from '../token-service/token-service.client';
import type { UserEntity } from '../database/entities/user.entity';
import { UsersService } from '../users/users.service';

export const ACR_PWD = 'urn:tessera:acr:pwd';
export const ACR_MFA = 'urn:tessera:acr:mfa';

/** Where the browser goes next: on to the client (`redirect_to`), or to a second factor. */
export type LoginStep = { redirect_to: string } | { next: 'second_factor'; factors: string[] };

/**
 * The login flow over a login challenge: what to show, and what happens when an authenticator
 * succeeded. The challenge is accepted with the browser's binding verifier (its cookie), so a
 * challenge started in one browser cannot be completed in another.
 */
@Injectable()
export class LoginFlowService {
  constructor(
    private readonly tokenService: TokenServiceClient,
    private readonly sessions: LoginSessionsService,
    private readonly factors: SecondFactors,
    private readonly users: UsersService,
    private readonly throttle: LoginThrottle,
    private readonly outbox: Outbox,
    @Inject(AUTH_SERVICE_DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(AUTH_CLOCK) private readonly clock: Clock,
    @Inject(AUTH_SERVICE_CONFIG) private readonly config: AuthServiceConfig,
  ) {}

  /** A login challenge, or `invalid_request` when the value names a consent challenge. */
  async loginChallenge(value: unknown): Promise<ChallengeView> {
    if (typeof value !== 'string' || !value || value.length > MAX_CHALLENGE_VALUE_LENGTH) throw new FlowError('invalid_request', 'login_challenge is required.');
    const challenge = await this.tokenService.readChallenge(value);
    if (challenge.kind !== 'login') throw new FlowError('invalid_request', 'This is not a login challenge.');
    return challenge;
  }

  /** Whether the browser's session may answer the challenge without a new login (and what it lacks). */
  canContinue(challenge: ChallengeView, session: LoginSession | null): { ok: boolean; needsSecondFactor: boolean } {
    if (!session || session.stage !== 'authenticated') return { ok: false, needsSecondFactor: false };
    if (challenge.prompt?.includes('login')) return { ok: false, needsSecondFactor: false };
    // max_age=0 means "authenticate now" (the conformance suite reads it so); otherwise an older sign-in than max_age.
    if (challenge.max_age !== undefined && (challenge.max_age === 0 || nowSeconds(this.clock) - session.authTime > challenge.max_age)) {
      return { ok: false, needsSecondFactor: false };
    }
    if (challenge.id_token_hint_sub !== undefined && challenge.id_token_hint_sub !== session.sub) return { ok: false, needsSecondFactor: false };
    return { ok: true, needsSecondFactor: wantsMfa(challenge) && !session.amr.includes('mfa') };
  }

  /** A first factor (password, upstream IdP, passkey login) succeeded: start the session, then MFA or done. */
  async firstFactor(req: FastifyRequest, reply: FastifyReply, challenge: ChallengeView, auth: Authentication, remember: boolean): Promise<LoginStep> {
    this.assertActive(auth.user);
    const previous = await this.sessions.fromRequest(req);
    const selfSufficient = auth.amr.includes('mfa');
    const mfa = !selfSufficient && (wantsMfa(challenge) || (await this.factors.requiredFor(auth.user.sub)));
    const session = await this.sessions.start(reply, previous, {
      sub: auth.user.sub,
      amr: auth.amr,
      stage: mfa ? 'second_factor' : 'authenticated',
      remember,
      ip: clientIp(req, this.config.trustedProxies),
      userAgent: req.headers['user-agent'],
      // A session waiting for a second factor counts its minutes from now, and the second factor makes the login's time now.
      authTime: mfa ? undefined : auth.authTime,
    });
    if (mfa) return this.secondFactorStep(auth.user.sub);
    return this.accept(req, reply, challenge, session);
  }

  /** A second factor succeeded on the browser's session: elevate it and accept. */
  async secondFactor(req: FastifyRequest, reply: FastifyReply, challenge: ChallengeView, session: LoginSession, amr: string[]): Promise<LoginStep> {
    const user = await this.users.require(session.sub);
    this.assertActive(user);
    const elevated = await this.sessions.elevate(reply, session, amr);
    return this.accept(req, reply, challenge, elevated);
  }

  /** The browser's existing session answers the challenge (a second client signing in without a password). */
  async continueSession(req: FastifyRequest, reply: FastifyReply, challenge: ChallengeView, session: LoginSession | null): Promise<LoginStep> {
    const verdict = this.canContinue(challenge, session);
    if (!verdict.ok || !session) throw new FlowError('login_required', 'Sign in again: this request needs a fresh login.');
    const user = await this.users.require(session.sub);
    this.assertActive(user);
    if (verdict.needsSecondFactor) return this.secondFactorStep(session.sub);
    return this.accept(req, reply, challenge, session);
  }

  async reject(req: FastifyRequest, challenge: ChallengeView): Promise<{ redirect_to: string }> {
    return this.tokenService.reject(challenge.challenge, req.cookies[challenge.binding_cookie], 'access_denied', 'The user cancelled the sign-in.');
  }

  /** The second factors this account can finish a sign-in with. */
  factorsFor(sub: string): Promise<string[]> {
    return this.factors.availableTo(sub);
  }

  private async secondFactorStep(sub: string): Promise<LoginStep> {
    const factors = await this.factors.availableTo(sub);
    if (!factors.length) {
      throw new FlowError('second_factor_required', 'This sign-in needs a second factor, and the account has none. Set one up in your account first.', { factors });
    }
    return { next: 'second_factor', factors };
  }

  private async accept(req: FastifyRequest, reply: FastifyReply, challenge: ChallengeView, session: LoginSession): Promise<LoginStep> {
    const result = await this.tokenService.accept(challenge.challenge, req.cookies[challenge.binding_cookie], {
      sub: session.sub,
      login_session_id: session.id,
      acr: session.amr.includes('mfa') ? ACR_MFA : ACR_PWD,
      amr: session.amr,
      auth_time: session.authTime,
      remember: session.remember,
      session_expires_at: session.expiresAt,
    });
    await this.throttle.rememberDevice(reply, session.sub);
    await inTransaction(this.dataSource, (manager) =>
      this.outbox.add(manager, 'login.succeeded', { sub: session.sub, clientId: challenge.client?.client_id, ip: clientIp(req, this.config.trustedProxies) }),
    );
    return result;
  }

  private assertActive(user: UserEntity) {
    assertMaySignIn(user);
  }
}

/**
 * MFA is asked for when the client's policy requires it (`mfa_policy: required`), or when the
 * request's acr_values (or the client's default_acr_values) prefer it and do not also accept a
 * password alone. A user's own enrolled factor is the third reason (SecondFactors). No policy
 * turns off a factor a user enrolled.
 */
export function wantsMfa(challenge: ChallengeView): boolean {
  if (challenge.client?.mfa_policy === 'required') return true;
  const acr = challenge.acr_values ?? [];
  return acr.includes(ACR_MFA) && !acr.includes(ACR_PWD);
}

/**
 * Who may complete a sign-in: an active account whose email address, if it has one, is
 * verified. An unverified address proves nothing: letting its account sign in would let anyone
 * sign up with someone else's address and plant a way in before the owner arrives
 * (pre-account hijacking); the owner takes the account over by verifying or resetting instead.
 */
export function assertMaySignIn(user: UserEntity): void {
  if (user.status !== 'active') throw new FlowError('forbidden', `This account is ${user.status}. Contact the administrator.`);
  if (user.email && !user.emailVerified) {
    throw new FlowError('forbidden', 'Confirm your email address first: follow the link we sent you, or reset your password.', { reason: 'email_not_verified' });
  }
}
