import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { inTransaction } from '@tessera/events';
import { AUTH_SERVICE_DATA_SOURCE } from '../auth-service.tokens';
import { FlowError } from '../http/flow-error';

/**
 * The ways a user can sign in on their own (a password, passkeys, linked upstream accounts),
 * counted per feature, so that the last one can never be removed.
 */
@Injectable()
export class SignInMethods {
  private readonly counters: Array<{ name: string; count(sub: string): Promise<number> }> = [];

  constructor(@Inject(AUTH_SERVICE_DATA_SOURCE) private readonly dataSource: DataSource) {}

  register(name: string, count: (sub: string) => Promise<number>): void {
    this.counters.push({ name, count });
  }

  async count(sub: string): Promise<number> {
    const counts = await Promise.all(this.counters.map((c) => c.count(sub)));
    return counts.reduce((a, b) => a + b, 0);
  }

  /**
   * Removes `removing` ways to sign in (`remove` deletes them in the given transaction) unless
   * none would be left: `last_sign_in_method`. Every removal path goes through here, holding
   * the user's row lock (PostgreSQL; SQLite transactions take turns anyway), so two removals
   * at once (a passkey and a link) cannot both count the other as the remaining way in.
   */
  async removeUnlessLast<T>(sub: string, removing: number, remove: (manager: EntityManager) => Promise<T>): Promise<T> {
    return inTransaction(this.dataSource, async (manager) => {
      if (this.dataSource.options.type === 'postgres') await manager.query('SELECT "sub" FROM "users" WHERE "sub" = $1 FOR UPDATE', [sub]);
      // Counted after the lock: a concurrent removal holding it has committed by now.
      if ((await this.count(sub)) - removing < 1) {
        throw new FlowError('last_sign_in_method', 'This is your last way to sign in; add another one (a password, a passkey or a linked account) first.');
      }
      return remove(manager);
    });
  }
}
