import type { AuthorizationRequest, LoginResult } from '../authorize/authorization-request';
import type { OAuthErrorCode } from '@tessera/oauth-errors';

export type ChallengeKind = 'login' | 'consent';
export type ChallengeState = 'pending' | 'accepted' | 'rejected' | 'used';

export type ChallengeOutcome =
  | { kind: 'login'; login: LoginResult }
  | { kind: 'consent'; grantedScope: string[]; remember: boolean }
  | { kind: 'rejected'; error: OAuthErrorCode; errorDescription?: string };

export interface Challenge {
  storageKey: string;
  kind: ChallengeKind;
  state: ChallengeState;
  verifierHash: string;
  clientId: string;
  request: AuthorizationRequest;
  /** The authenticated user (consent challenges, or a login challenge under an OP session). */
  login?: LoginResult & { sid?: string };
  outcome?: ChallengeOutcome;
  createdAt: number;
  expiresAt: number;
}

export abstract class ChallengeStore {
  abstract insert(challenge: Challenge): Promise<void>;
  abstract find(storageKey: string): Promise<Challenge | undefined>;
  /**
   * Moves a challenge from `from` to `to` (recording `outcome` if given) only if it is still in
   * `from`: the single-use guarantee under concurrent requests. False if another won.
   */
  abstract transition(storageKey: string, from: ChallengeState, to: ChallengeState, outcome?: ChallengeOutcome): Promise<boolean>;
  /**
   * The resume's one statement: marks an answered (accepted or rejected), unexpired challenge
   * whose verifier hash matches as used and returns it; undefined if any of that is not so.
   */
  abstract consumeAnswered(storageKey: string, verifierHash: string, now: number): Promise<Challenge | undefined>;
  /** Housekeeping: deletes at most `limit` rows that expired before `now`, in one statement; returns how many. */
  abstract deleteExpired(now: number, limit: number): Promise<number>;
}
