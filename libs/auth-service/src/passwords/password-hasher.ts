import { Algorithm, hash, verify } from '@node-rs/argon2';

/**
 * argon2id with OWASP's first recommended configuration (Password Storage Cheat Sheet):
 * m = 19 MiB, t = 2, p = 1. A hash made with other parameters still verifies, and
 * `needsRehash` tells the login to store a new one.
 */
export const ARGON2_PARAMS = { algorithm: Algorithm.Argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export class PasswordHasher {
  /** A hash of a password nobody has, verified when the account does not exist (same work, same time). */
  private dummy?: Promise<string>;

  constructor(private readonly params: { memoryCost: number; timeCost: number; parallelism: number } = ARGON2_PARAMS) {}

  hash(password: string): Promise<string> {
    return hash(password, { ...this.params, algorithm: Algorithm.Argon2id });
  }

  async verify(phc: string, password: string): Promise<boolean> {
    try {
      return await verify(phc, password);
    } catch {
      return false; // a corrupt stored hash never signs anyone in
    }
  }

  /** Runs a verify as costly as a real one, for an unknown user or a user without a password. */
  async verifyNobody(password: string): Promise<false> {
    this.dummy ??= this.hash('tessera-dummy-password-for-unknown-users');
    await this.verify(await this.dummy, password);
    return false;
  }

  needsRehash(phc: string): boolean {
    const m = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(phc);
    if (!m) return true;
    return Number(m[1]) !== this.params.memoryCost || Number(m[2]) !== this.params.timeCost || Number(m[3]) !== this.params.parallelism;
  }
}
