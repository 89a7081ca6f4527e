import { Injectable } from '@nestjs/common';
import { InvalidScopeError } from '@tessera/oauth-errors';
import { ADMIN_ROLE, isAdminScope } from '../clients/admin-scopes';
import type { Client } from '../clients/client';
import { UserClaimsSource } from '../ports/user-claims.source';

/**
 * Who may hold the admin API's scopes: a user with the admin role (through a client allowed the
 * scope, such as the portal), or a client flagged `admin` acting for itself (the CLI,
 * automation). The admin API checks the role again at every request; this only decides issuance.
 */
@Injectable()
export class AdminScopePolicy {
  constructor(private readonly users: UserClaimsSource) {}

  /**
   * The scopes a user may be granted of those asked: admin scopes stay only for an admin. RFC
   * 6749 §3.3 lets the server grant fewer than requested; the responses then name what was granted.
   */
  async grantableToUser(sub: string, scope: string[]): Promise<string[]> {
    if (!scope.some(isAdminScope)) return scope;
    const roles = await this.users.rolesOf(sub);
    return roles?.includes(ADMIN_ROLE) ? scope : scope.filter((s) => !isAdminScope(s));
  }

  /** A client acting for itself (client_credentials) gets admin scopes only if it is an admin client. */
  assertClientMay(client: Client, scope: readonly string[]): void {
    const admin = scope.filter(isAdminScope);
    if (admin.length && !client.admin) {
      throw new InvalidScopeError(`Only an admin client may be granted ${admin.join(' ')} for itself.`, { scope: admin.join(' ') });
    }
  }
}
