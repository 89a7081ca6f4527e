import { hash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InvalidRequestError, NotFoundError } from '@tessera/oauth-errors';
import { orderedRandomId, randomId, safeEqual, storageKey } from '@tessera/token-formats';
import type { AuthorizationRequest, LoginResult } from '../authorize/authorization-request';
import { CLOCK, epochSeconds, type Clock } from '../clock';
import { TOKEN_SERVICE_CONFIG, type TokenServiceConfig } from '../config/token-service-config';
import { ChallengeStore, type Challenge, type ChallengeKind, type ChallengeOutcome } from '../ports/challenge.store';

/** A new challenge: the value travels in the URL, the verifier only in an HttpOnly cookie. */
export interface IssuedChallenge {
  challenge: string;
  verifier: string;
  cookieName: string;
  expiresAt: number;
}

/**
 * The binding cookie's name is derived from the challenge, so parallel flows in tabs coexist: from
 * its hash, not its storage key, which begins with the challenge's creation time.
 */
export const bindingCookieName = (challenge: string) => `tessera_cv_${hash('sha256', challenge, 'base64url').slice(0, 16)}`;

/**
 * Login and consent challenges (Hydra's flow): single-use, short-lived, and bound to the browser
 * that started them. Accepting or rejecting needs the browser's verifier; resuming needs it again
 * and moves the challenge to `used`, atomically, so it can never be completed twice.
 */
@Injectable()
export class ChallengesService {
  constructor(
    private readonly store: ChallengeStore,
    @Inject(TOKEN_SERVICE_CONFIG) private readonly config: TokenServiceConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async create(kind: ChallengeKind, request: AuthorizationRequest, login?: Challenge['login']): Promise<IssuedChallenge> {
    // Ordered, so that the challenge's storage key lands at the end of its index (time-ordered.ts).
    const challenge = orderedRandomId(32);
    const verifier = randomId(32);
    const now = epochSeconds(this.clock);
    const expiresAt = now + this.config.challengeTtl;
    await this.store.insert({
      storageKey: storageKey(challenge),
      kind,
      state: 'pending',
      verifierHash: storageKey(verifier),
      clientId: request.clientId,
      request,
      login,
      createdAt: now,
      expiresAt,
    });
    return { challenge, verifier, cookieName: bindingCookieName(challenge), expiresAt };
  }

  /** A pending, unexpired challenge (for the internal API that the login and consent UI reads). */
  async pending(challenge: string): Promise<Challenge> {
    const found = await this.find(challenge);
    if (found.state !== 'pending') throw new NotFoundError('This challenge was already answered. Start the sign-in again.');
    return found;
  }

  /** Answers a challenge just read with pending() (one read per request on the login path). */
  async accept(found: Challenge, verifier: unknown, outcome: Exclude<ChallengeOutcome, { kind: 'rejected' }>): Promise<Challenge> {
    this.checkVerifier(found, verifier);
    if (found.kind !== outcome.kind) throw new InvalidRequestError(`This is a ${found.kind} challenge.`);
    if (!(await this.store.transition(found.storageKey, 'pending', 'accepted', outcome))) {
      throw new NotFoundError('This challenge was already answered. Start the sign-in again.');
    }
    return { ...found, state: 'accepted', outcome };
  }

  async reject(found: Challenge, verifier: unknown, outcome: Extract<ChallengeOutcome, { kind: 'rejected' }>): Promise<Challenge> {
    this.checkVerifier(found, verifier);
    if (!(await this.store.transition(found.storageKey, 'pending', 'rejected', outcome))) {
      throw new NotFoundError('This challenge was already answered. Start the sign-in again.');
    }
    return { ...found, state: 'rejected', outcome };
  }

  /**
   * Back at the authorization endpoint: the answered challenge, used up (`consumed`). The
   * browser must present the same verifier cookie that started the flow.
   *
   * A challenge already used, presented again with its verifier, is `replayed`: only the browser
   * it is bound to can do that, and only when the first answer never reached it (the binding
   * cookie is cleared by that answer): a replica killed mid-response whose GET a proxy retried
   * elsewhere, a reload after a dropped connection. The caller starts the authorization over
   * from the challenge's request (once) instead of leaving that person at a dead end; the first
   * use's answer is not replayed.
   */
  async consume(challenge: string, verifier: string | undefined): Promise<{ challenge: Challenge; replayed: boolean }> {
    // The usual case in one statement; anything else is read again to say precisely what is wrong.
    if (typeof challenge === 'string' && challenge && typeof verifier === 'string') {
      const used = await this.store.consumeAnswered(storageKey(challenge), storageKey(verifier), epochSeconds(this.clock));
      if (used) return { challenge: used, replayed: false };
    }
    const found = await this.find(challenge);
    this.checkVerifier(found, verifier);
    if (found.state === 'used') return { challenge: found, replayed: true };
    if (found.state !== 'accepted' && found.state !== 'rejected') throw new InvalidRequestError('This sign-in step is not finished yet.');
    // Lost to a concurrent resume by the same browser: that one answers it.
    if (!(await this.store.transition(found.storageKey, found.state, 'used'))) {
      throw new InvalidRequestError('This sign-in step was already completed.');
    }
    return { challenge: found, replayed: false };
  }

  private async find(challenge: string): Promise<Challenge> {
    const found = typeof challenge === 'string' && challenge ? await this.store.find(storageKey(challenge)) : undefined;
    if (!found || found.expiresAt <= epochSeconds(this.clock)) {
      throw new NotFoundError('Unknown or expired challenge. Start the sign-in again.');
    }
    return found;
  }

  /** The challenge is bound to one browser: only its verifier cookie can answer it. */
  private checkVerifier(found: Challenge, verifier: unknown) {
    if (typeof verifier !== 'string' || !safeEqual(storageKey(verifier), found.verifierHash)) {
      throw new InvalidRequestError('The challenge belongs to another browser session (the binding cookie does not match).', {
        detail: 'challenge verifier mismatch',
      });
    }
  }
}

export type { LoginResult };
