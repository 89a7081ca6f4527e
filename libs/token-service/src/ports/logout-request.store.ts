/** What an RP-initiated logout asked for, once validated (RP-Initiated Logout 1.0 §2). */
export interface ValidatedLogoutRequest {
  /** The client, from client_id or the id_token_hint's audience. */
  clientId?: string;
  /** Exactly one of the client's registered post_logout_redirect_uris. */
  postLogoutRedirectUri?: string;
  state?: string;
  uiLocales?: string[];
}

/** A logout waiting for the user's "yes" on the confirmation page. */
export interface LogoutRequest {
  storageKey: string;
  verifierHash: string;
  /** The OP session the user was asked about; undefined when the request could not see one. */
  sid?: string;
  request: ValidatedLogoutRequest;
  createdAt: number;
  expiresAt: number;
}

export abstract class LogoutRequestStore {
  abstract insert(request: LogoutRequest): Promise<void>;
  /**
   * Marks the request used and returns it, in one statement, if it exists, is unused and
   * unexpired at `now`, and was issued to the browser holding the verifier (its hash given);
   * undefined otherwise. Single use even under concurrent requests.
   */
  abstract consume(storageKey: string, verifierHash: string, now: number): Promise<LogoutRequest | undefined>;
  /** Housekeeping: deletes at most `limit` rows that expired before `now`, in one statement; returns how many. */
  abstract deleteExpired(now: number, limit: number): Promise<number>;
}
