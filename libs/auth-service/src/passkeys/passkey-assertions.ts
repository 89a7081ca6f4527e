import { Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { DataSource } from 'typeorm';
import { inTransaction, Outbox } from '@tessera/events';
import { AUTH_SERVICE_DATA_SOURCE } from '../auth-service.tokens';
import { AUTH_SERVICE_CONFIG, type AuthServiceConfig } from '../config/auth-service-config';
import type { UserEntity } from '../database/entities/user.entity';
import { clientIp } from '@tessera/runtime';
import { FlowError } from '../http/flow-error';
import { UsersService } from '../users/users.service';
import { PasskeyChallenges } from './passkey-challenges';
import { challengeOf, parseAuthenticationResponse } from './passkey-responses';
import type { PasskeyEntity } from './passkey.entity';
import { PasskeysService } from './passkeys.service';
import { assertionRefused, RelyingParty } from './relying-party';
import { MAX_CHALLENGE_VALUE_LENGTH } from '../token-service/token-service.client';

export interface VerifiedPasskeyUse {
  user: UserEntity;
  passkey: PasskeyEntity;
  /** RFC 8176: `hwk` for a key bound to one authenticator, `swk` for a synced (backup-eligible) one. */
  possession: 'hwk' | 'swk';
}

const unpadded = (v: string) => v.replace(/=+$/, '');

/**
 * Verifies a passkey assertion for the login flow, the part both passkey authenticators share:
 * the challenge is consumed first (single-use whatever the outcome), then the credential is
 * found, the assertion verified against it, and the new counter stored over the old one.
 */
@Injectable()
export class PasskeyAssertions {
  constructor(
    private readonly challenges: PasskeyChallenges,
    private readonly passkeys: PasskeysService,
    private readonly rp: RelyingParty,
    private readonly users: UsersService,
    private readonly outbox: Outbox,
    @Inject(AUTH_SERVICE_DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(AUTH_SERVICE_CONFIG) private readonly config: AuthServiceConfig,
  ) {}

  /**
   * `login`: a discoverable credential with user verification, any user (the user handle must
   * be the credential's). `second_factor`: one of `sub`'s credentials, user presence enough.
   */
  async verify(req: FastifyRequest, ceremony: 'login' | 'second_factor', sub?: string): Promise<VerifiedPasskeyUse> {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const loginChallenge = body['login_challenge'];
    if (typeof loginChallenge !== 'string' || !loginChallenge || loginChallenge.length > MAX_CHALLENGE_VALUE_LENGTH) throw new FlowError('invalid_request', 'login_challenge is required.');
    if (body['response'] === undefined) throw new FlowError('invalid_request', 'response is required.');
    const response = parseAuthenticationResponse(body['response']);
    const challenge = challengeOf(response);
    await this.challenges.consume(req, challenge, ceremony, { loginChallenge, ...(sub === undefined ? {} : { sub }) });

    const passkey = await this.passkeys.findByCredentialId(response.id);
    if (!passkey || (sub !== undefined && passkey.sub !== sub)) throw assertionRefused('credential not registered (for this user)');
    try {
      // WebAuthn §7.2 step 6: the credential must be the user's the authenticator says it is.
      const userHandle = response.response.userHandle;
      if (ceremony === 'login' && !userHandle) throw assertionRefused('discoverable login without a user handle');
      if (userHandle && unpadded(userHandle) !== passkey.userHandle) throw assertionRefused('user handle does not match the credential');

      const assertion = await this.rp.verifyAssertion(response, challenge, passkey, ceremony === 'login');
      // Backup eligibility is fixed for a credential's life (WebAuthn §6.1.3): a change is not the same authenticator.
      if (assertion.deviceType !== passkey.deviceType) throw assertionRefused('backup eligibility changed');
      if (!(await this.passkeys.recordUse(passkey, assertion))) throw assertionRefused('signature counter changed concurrently');

      const user = await this.users.find(passkey.sub);
      if (!user) throw assertionRefused('credential of a deleted user');
      return { user, passkey, possession: passkey.deviceType === 'multiDevice' ? 'swk' : 'hwk' };
    } catch (err) {
      if (err instanceof FlowError && err.code === 'invalid_credentials') await this.recordFailure(req, passkey.sub);
      throw err;
    }
  }

  private async recordFailure(req: FastifyRequest, sub: string) {
    const ip = clientIp(req, this.config.trustedProxies);
    await inTransaction(this.dataSource, (manager) => this.outbox.add(manager, 'login.failed', { sub, ...(ip ? { ip } : {}) }));
  }
}
