import type { Transaction } from './unit-of-work';

export const BACKCHANNEL_DELIVERY_STATUSES = ['delivered', 'retrying', 'failed'] as const;
export type BackchannelDeliveryStatus = (typeof BACKCHANNEL_DELIVERY_STATUSES)[number];

/**
 * One back-channel logout notice to one client (one `logout.backchannel.requested` event), as
 * the admin API shows it. Never the logout token itself.
 */
export interface BackchannelDelivery {
  /** The id of the event that asked for it: one delivery per event. */
  eventId: string;
  clientId: string;
  /** The user's own id (what an administrator knows), not the client's pairwise subject. */
  sub: string;
  /** The OP session ended, when the logout names one. */
  sid?: string;
  /** `retrying` after a failed attempt with attempts left; `failed` after the last one. */
  status: BackchannelDeliveryStatus;
  /** Deliveries made so far (POSTs sent or refused before sending). */
  attempts: number;
  /** Why the last attempt failed: safe to show and log (no token, no response body). */
  lastError?: string;
  createdAt: number;
  updatedAt: number;
}

export interface BackchannelDeliveryQuery {
  clientId?: string;
  status?: BackchannelDeliveryStatus;
  /** The most recently updated first, at most this many. */
  limit: number;
}

export abstract class BackchannelDeliveryStore {
  abstract find(eventId: string): Promise<BackchannelDelivery | undefined>;
  /** A delivered notice of the same session's end to the same client, from any event. */
  abstract findDelivered(clientId: string, sid: string): Promise<BackchannelDelivery | undefined>;
  /** Inserts or replaces the delivery's row. */
  abstract save(delivery: BackchannelDelivery, tx?: Transaction): Promise<void>;
  abstract list(query: BackchannelDeliveryQuery): Promise<BackchannelDelivery[]>;
  /**
   * Finished deliveries (delivered or failed) last updated before `cutoff`, at most `limit`, in
   * one statement; returns how many. One still retrying stays, however old.
   */
  abstract deleteFinishedBefore(cutoff: number, limit: number): Promise<number>;
}
