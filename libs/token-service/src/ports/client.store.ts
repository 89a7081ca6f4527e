import type { Client } from '../clients/client';
import type { Transaction } from './unit-of-work';

export abstract class ClientStore {
  abstract find(clientId: string): Promise<Client | undefined>;
  abstract insert(client: Client, tx?: Transaction): Promise<void>;
  abstract save(client: Client, tx?: Transaction): Promise<void>;
  abstract delete(clientId: string, tx?: Transaction): Promise<boolean>;
  abstract list(): Promise<Client[]>;
  /**
   * Moves the client's `revokedBefore` forward to `at`, never back (a revocation that arrives
   * after a later one changes nothing), in one statement; true when it moved.
   */
  abstract revokeIssuedUpTo(clientId: string, at: number, updatedAt: number, tx?: Transaction): Promise<boolean>;
  /** Sets `disabled` in one statement, leaving every other field as it is; true when it changed. */
  abstract setDisabled(clientId: string, disabled: boolean, updatedAt: number, tx?: Transaction): Promise<boolean>;
}
