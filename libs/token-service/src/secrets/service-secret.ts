import type { MasterKeyring } from '@tessera/runtime';
import { secureRandomBytes } from '@tessera/token-formats';
import type { ServiceSecretStore } from '../ports/service-secret.store';

/**
 * A long-lived random secret of the token service (the pairwise-subject salt, the challenge
 * sealing key): made once by whichever replica is first, stored encrypted under the master key,
 * and rewritten under the current key after a master-key rotation, before the retired key is
 * dropped. The same bytes survive every rotation.
 */
export async function loadServiceSecret(secrets: ServiceSecretStore, keyring: MasterKeyring, name: string, bytes: number, now: number): Promise<Buffer> {
  const candidate = await keyring.encrypt(secureRandomBytes(bytes).toString('base64url'), name);
  const stored = await secrets.getOrInsert(name, candidate, now);
  const plain = await keyring.decrypt(stored, name);
  if (keyring.isStale(stored)) await secrets.replace(name, await keyring.encrypt(plain, name));
  return Buffer.from(plain, 'base64url');
}
