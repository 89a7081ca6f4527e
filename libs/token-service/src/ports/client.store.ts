import type { Client } from '../clients/client';
import type { Transaction } from './unit-of-work';

export abstract class ClientStore {
  abstract find(clientId: string): Promise<Client | undefined>;
  abstract insert(client: Client, tx?: Transaction): Promise<void>;
  abstract save(client: Client, tx?: Transaction): Promise<void>;
  abstract delete(clientId: string, tx?: Transaction): Promise<boolean>;
  abstract list(): Promise<Client[]>;
}
