import type { Transaction } from './unit-of-work';

export type SigningKeyState = 'next' | 'current' | 'retired';

export interface StoredSigningKey {
  kid: string;
  alg: string;
  state: SigningKeyState;
  publicJwk: Record<string, unknown>;
  privateJwkEncrypted: string;
  createdAt: number;
  activatedAt?: number;
  retiredAt?: number;
  publishUntil?: number;
}

export abstract class SigningKeyStore {
  abstract list(): Promise<StoredSigningKey[]>;
  abstract insert(key: StoredSigningKey, tx?: Transaction): Promise<void>;
  abstract save(key: StoredSigningKey, tx?: Transaction): Promise<void>;
  abstract deleteUnpublished(now: number): Promise<number>;
}
