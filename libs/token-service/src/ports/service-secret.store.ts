/** Long-lived secrets of the service, stored encrypted; made once, by whichever replica is first. */
export abstract class ServiceSecretStore {
  /** The stored (encrypted) value of `name`, inserting `candidate` if there is none yet. */
  abstract getOrInsert(name: string, candidate: string, now: number): Promise<string>;
  /** Rewrites a secret's stored value (re-encrypted under a new master key: same plaintext). */
  abstract replace(name: string, valueEncrypted: string): Promise<void>;
}
