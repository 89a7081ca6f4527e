import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, epochSeconds, type Clock } from '../clock';
import { AccessTokenStore, RevokedTokenStore } from '../ports/access-token.store';
import { RefreshTokenStore, type IssuedJwt } from '../ports/refresh-token.store';
import { UnitOfWork, type Transaction } from '../ports/unit-of-work';

/**
 * Revokes tokens by what they came from, each time all three kinds together: the refresh
 * tokens, the reference access tokens (deleted), and the JWT access tokens recorded with the
 * refresh tokens (deny-listed until they expire; nothing else about a JWT is stored).
 *
 * Every method writes in the caller's transaction when given one (an event consumer's, a
 * grant handler's), otherwise in its own.
 */
@Injectable()
export class TokenFamiliesService {
  constructor(
    private readonly refreshTokens: RefreshTokenStore,
    private readonly accessTokens: AccessTokenStore,
    private readonly revoked: RevokedTokenStore,
    private readonly uow: UnitOfWork,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** One token family: everything one code redemption issued, and every rotation since. */
  revokeFamily(familyId: string, tx?: Transaction): Promise<void> {
    return this.within(tx, async (t, now) => {
      const jwts = await this.refreshTokens.revokeFamily(familyId, now, t);
      await this.accessTokens.deleteByFamily(familyId, t);
      await this.denyList(jwts, now, t);
    });
  }

  /** Every family of one grant (a user's consent to one client). */
  revokeGrant(grantId: string, tx?: Transaction): Promise<void> {
    return this.within(tx, async (t, now) => {
      const jwts = await this.refreshTokens.revokeByGrant(grantId, now, t);
      await this.accessTokens.deleteByGrant(grantId, t);
      await this.denyList(jwts, now, t);
    });
  }

  /** Every token a user holds, across clients (password change, account deletion). */
  revokeUserTokens(sub: string, tx?: Transaction): Promise<void> {
    return this.within(tx, async (t, now) => {
      const jwts = await this.refreshTokens.revokeBySub(sub, now, t);
      await this.accessTokens.deleteBySub(sub, t);
      await this.denyList(jwts, now, t);
    });
  }

  /** Deny-lists JWT access tokens that are still live (an expired one is inactive anyway). */
  async denyList(jwts: readonly IssuedJwt[], now: number, tx: Transaction): Promise<void> {
    for (const jwt of jwts) if (jwt.expiresAt > now) await this.revoked.add(jwt.jti, jwt.expiresAt, tx);
  }

  private within(tx: Transaction | undefined, work: (tx: Transaction, now: number) => Promise<void>): Promise<void> {
    const now = epochSeconds(this.clock);
    return tx ? work(tx, now) : this.uow.run((t) => work(t, now));
  }
}
