import { hash } from 'node:crypto';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { MasterKeyring } from '@tessera/runtime';
import { InvalidRequestError, NotFoundError } from '@tessera/oauth-errors';
import { orderedRandomId, randomId, safeEqual, storageKey } from '@tessera/token-formats';
import type { AuthorizationRequest, LoginResult } from '../authorize/authorization-request';
import { CLOCK, epochSeconds, type Clock } from '../clock';
import { TOKEN_SERVICE_CONFIG, type TokenServiceConfig } from '../config/token-service-config';
import { ReplayCache } from '../ports/replay-cache';
import { ServiceSecretStore } from '../ports/service-secret.store';
import { loadServiceSecret } from '../secrets/service-secret';
import type { AnsweredChallenge, Challenge, ChallengeKind, ChallengeOutcome } from './challenge';
import { CHALLENGE_SEAL_KEY_BYTES, ChallengeSeal, TooLargeToSeal } from './challenge-seal';
import { sealOutcome, unsealOutcome, type SealedOutcome } from './sealed-outcome';

/** A new challenge: the value travels in the URL, the verifier only in an HttpOnly cookie. */
export interface IssuedChallenge {
  challenge: string;
  verifier: string;
  cookieName: string;
  expiresAt: number;
}

/**
 * The longest sealed value handed out (a challenge, or an answer). A challenge travels in the query
 * of the login or consent page's URL and an answer in the resume URL: 8 KiB is what common proxies
 * accept in a request line (nginx's default buffer), with room for the rest of the URL.
 */
export const MAX_CHALLENGE_LENGTH = 7_680;
/**
 * The largest authorization request (as JSON, in bytes) a challenge carries; a larger one is
 * refused at the authorization endpoint. With the signed-in user (at most MAX_LOGIN_BYTES) and an
 * outcome (the granted scopes as a bit mask over the requested ones), every challenge and answer
 * of the sign-in then stays under MAX_CHALLENGE_LENGTH.
 */
export const MAX_REQUEST_BYTES = 3_072;
/** The largest login result (as JSON, in bytes) a login accept may carry, room for the OP session's id left. */
export const MAX_LOGIN_BYTES = 960;
/** A used challenge's replay-cache row outlives its expiry by this much: replicas' clocks differ. */
const USED_ROW_MARGIN = 600;
/** The service secret the sealing key is kept under (encrypted with the master key). */
const SEAL_KEY_NAME = 'challenge-seal-key';

/** How the single use of a challenge is recorded in the replay cache. */
const usedKey = (id: string) => `challenge:${id}`;

/**
 * The binding cookie's name is derived from the challenge, so parallel flows in tabs coexist: from
 * the hash of its first 64 characters, which hold its IV (unique to each sealed value,
 * challenge-seal.ts), so the name is unique without hashing the whole kilobyte at every step.
 */
export const bindingCookieName = (challenge: string) => `tessera_cv_${hash('sha256', challenge.slice(0, 64), 'base64url').slice(0, 16)}`;

/** What a sealed challenge holds (short names: it travels in URLs). */
interface ChallengePayload {
  /** Ordered, unique: the key its single use is recorded under. */
  i: string;
  k: ChallengeKind;
  r: AuthorizationRequest;
  l?: Challenge['login'];
  /** SHA-256 of the browser's verifier. */
  v: string;
  t: number;
  e: number;
}

/** An answer: the challenge it answers, the binding cookie to check, and the outcome. */
interface AnswerPayload extends ChallengePayload {
  b: string;
  o: SealedOutcome;
}

/**
 * Login and consent challenges (Hydra's flow): single-use, short-lived, and bound to the browser
 * that started them.
 *
 * Nothing of a challenge is written to the database until it is used: the challenge value is the
 * pending request itself, sealed (ChallengeSeal), and accepting or rejecting it returns the
 * outcome sealed in the same way, in the URL that sends the browser back. Hydra moved its flows
 * into sealed values for the same reason: they were most of a sign-in's database writes. The one
 * write is the single use, a small row of the replay cache recorded when the browser brings the
 * answer back (on SQLite it usually shares a commit with that step's own writes, by group
 * commit). Answering and resuming need the browser's verifier, whose hash the sealed challenge
 * carries. A challenge can be answered more than once (a double submit); only one answer is ever
 * used, and reading or answering a used challenge is refused.
 */
@Injectable()
export class ChallengesService implements OnModuleInit {
  private sealer?: ChallengeSeal;

  constructor(
    private readonly used: ReplayCache,
    private readonly secrets: ServiceSecretStore,
    private readonly keyring: MasterKeyring,
    @Inject(TOKEN_SERVICE_CONFIG) private readonly config: TokenServiceConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * The sealing key: made once by whichever replica is first, kept as a service secret under the
   * master key (as the pairwise salt is), so that it survives master-key rotations and the master
   * key alone, which every service holds, is not enough to make a value this service accepts.
   */
  async onModuleInit() {
    this.sealer = new ChallengeSeal(await loadServiceSecret(this.secrets, this.keyring, SEAL_KEY_NAME, CHALLENGE_SEAL_KEY_BYTES, epochSeconds(this.clock)));
  }

  private get seal(): ChallengeSeal {
    if (!this.sealer) throw new Error('ChallengesService used before module init');
    return this.sealer;
  }

  create(kind: ChallengeKind, request: AuthorizationRequest, login?: Challenge['login']): IssuedChallenge {
    const verifier = randomId(32);
    const now = epochSeconds(this.clock);
    const expiresAt = now + this.config.challengeTtl;
    const payload: ChallengePayload = { i: orderedRandomId(16), k: kind, r: request, ...(login ? { l: login } : {}), v: storageKey(verifier), t: now, e: expiresAt };
    const challenge = this.sealed('challenge', payload);
    // A challenge no longer than a sealed request of the largest size cannot hold a larger one:
    // the request is measured only when it might be.
    if (challenge.length > SMALL_ENOUGH && Buffer.byteLength(JSON.stringify(request)) > MAX_REQUEST_BYTES) {
      throw new InvalidRequestError(
        `The authorization request is too large to hand to the sign-in page (${Buffer.byteLength(JSON.stringify(request))} bytes as stored, at most ${MAX_REQUEST_BYTES}): send shorter parameters (state, claims, login_hint).`,
      );
    }
    return { challenge, verifier, cookieName: bindingCookieName(challenge), expiresAt };
  }

  /** An unexpired challenge not used yet (for the internal API that the login and consent UI reads). */
  async pending(challenge: string): Promise<Challenge> {
    const payload = this.seal.open<ChallengePayload>('challenge', challenge);
    if (!payload || payload.e <= epochSeconds(this.clock)) throw new NotFoundError('Unknown or expired challenge. Start the sign-in again.');
    if (await this.used.seen(usedKey(payload.i))) throw new NotFoundError('This challenge was already answered. Start the sign-in again.');
    return { ...toChallenge(payload), bindingCookie: bindingCookieName(challenge) };
  }

  /** Answers a challenge just read with pending(): the sealed answer, for the URL back to the authorization endpoint. */
  accept(found: Challenge, verifier: unknown, outcome: Exclude<ChallengeOutcome, { kind: 'rejected' }>): string {
    this.checkVerifier(found, verifier);
    if (found.kind !== outcome.kind) throw new InvalidRequestError(`This is a ${found.kind} challenge.`);
    return this.answer(found, outcome);
  }

  reject(found: Challenge, verifier: unknown, outcome: Extract<ChallengeOutcome, { kind: 'rejected' }>): string {
    this.checkVerifier(found, verifier);
    return this.answer(found, outcome);
  }

  /**
   * Back at the authorization endpoint: the answered challenge, used up (`consumed`). The
   * browser must present the same verifier cookie that started the flow.
   *
   * An answer whose challenge was already used, presented again with its verifier, is `replayed`:
   * only the browser it is bound to can do that, and only when the first answer never reached it
   * (the binding cookie is cleared by that answer): a replica killed mid-response whose GET a proxy
   * retried elsewhere, a reload after a dropped connection. The caller starts the authorization
   * over from the challenge's request (once) instead of leaving that person at a dead end; the
   * used answer is not replayed.
   */
  async consume(answer: string, cookies: Record<string, string | undefined>): Promise<{ challenge: AnsweredChallenge; replayed: boolean }> {
    const payload = this.seal.open<AnswerPayload>('answer', answer);
    if (!payload) {
      if (this.seal.open('challenge', answer)) throw new InvalidRequestError('This sign-in step is not finished yet.');
      throw new NotFoundError('Unknown or expired challenge. Start the sign-in again.');
    }
    if (payload.e <= epochSeconds(this.clock)) throw new NotFoundError('Unknown or expired challenge. Start the sign-in again.');
    const challenge: AnsweredChallenge = { ...toChallenge(payload), bindingCookie: payload.b, outcome: unsealOutcome(payload.o, payload.r.scope) };
    this.checkVerifier(challenge, cookies[payload.b]);
    // Recorded before the step's own writes (the OP session, the code), and kept past the expiry
    // by a margin, so that no replica whose clock is behind can take the answer for unused.
    const first = await this.used.useOnce(usedKey(payload.i), payload.e + USED_ROW_MARGIN);
    return { challenge, replayed: !first };
  }

  private answer(found: Challenge, outcome: ChallengeOutcome): string {
    const payload: AnswerPayload = {
      i: found.id,
      k: found.kind,
      r: found.request,
      ...(found.login ? { l: found.login } : {}),
      v: found.verifierHash,
      t: found.createdAt,
      e: found.expiresAt,
      b: found.bindingCookie,
      o: sealOutcome(outcome, found.request.scope),
    };
    return this.sealed('answer', payload);
  }

  /** Sealed under MAX_CHALLENGE_LENGTH, which the bounds on requests and logins keep every value within. */
  private sealed(kind: 'challenge' | 'answer', payload: ChallengePayload): string {
    try {
      return this.seal.seal(kind, payload, MAX_CHALLENGE_LENGTH);
    } catch (err) {
      if (!(err instanceof TooLargeToSeal)) throw err;
      throw new InvalidRequestError(
        `The authorization request is too large to hand to the sign-in page (${err.length} characters sealed, at most ${MAX_CHALLENGE_LENGTH}): send shorter parameters (state, claims, login_hint).`,
      );
    }
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

/** The base64url length of a challenge whose request is MAX_REQUEST_BYTES and nothing else (a lower bound). */
const SMALL_ENOUGH = Math.floor((MAX_REQUEST_BYTES * 4) / 3);

function toChallenge(p: ChallengePayload): Omit<Challenge, 'bindingCookie'> {
  return {
    id: p.i,
    kind: p.k,
    clientId: p.r.clientId,
    request: p.r,
    ...(p.l ? { login: p.l } : {}),
    verifierHash: p.v,
    createdAt: p.t,
    expiresAt: p.e,
  };
}

export type { LoginResult };
