import { Injectable } from '@nestjs/common';
import { FlowError } from '../http/flow-error';

/**
 * The ways a user can sign in on their own (a password, passkeys, linked upstream accounts),
 * counted per feature, so that the last one can never be removed.
 */
@Injectable()
export class SignInMethods {
  private readonly counters: Array<{ name: string; count(sub: string): Promise<number> }> = [];

  register(name: string, count: (sub: string) => Promise<number>): void {
    this.counters.push({ name, count });
  }

  async count(sub: string): Promise<number> {
    const counts = await Promise.all(this.counters.map((c) => c.count(sub)));
    return counts.reduce((a, b) => a + b, 0);
  }

  /** Throws `last_sign_in_method` unless the user keeps another way in after removing `removing` of them. */
  async assertCanRemove(sub: string, removing = 1): Promise<void> {
    if ((await this.count(sub)) - removing < 1) {
      throw new FlowError('last_sign_in_method', 'This is your last way to sign in; add another one (a password, a passkey or a linked account) first.');
    }
  }
}
