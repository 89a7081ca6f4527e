import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { MasterKeyring } from '@tessera/runtime';
import { pairwiseSubject } from '@tessera/token-formats';
import type { Client } from '../clients/client';
import { CLOCK, epochSeconds, type Clock } from '../clock';
import { ServiceSecretStore } from '../ports/service-secret.store';
import { loadServiceSecret } from '../secrets/service-secret';

const SALT_NAME = 'pairwise-subject-salt';

/**
 * The `sub` a client sees (OpenID Connect Core §8): the user's id for `public` clients, and for
 * `pairwise` ones a value per sector that no two sectors can correlate. The salt is made once
 * and stored encrypted, so pairwise subjects survive a master-key rotation.
 */
@Injectable()
export class SubjectsService implements OnModuleInit {
  private salt?: Buffer;

  constructor(
    private readonly secrets: ServiceSecretStore,
    private readonly keyring: MasterKeyring,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async onModuleInit() {
    this.salt = await loadServiceSecret(this.secrets, this.keyring, SALT_NAME, 32, epochSeconds(this.clock));
  }

  /** The subject identifier `client` knows the user `sub` by. */
  forClient(client: Pick<Client, 'subjectType' | 'sectorIdentifier' | 'clientId'>, sub: string): string {
    if (client.subjectType !== 'pairwise') return sub;
    if (!this.salt) throw new Error('SubjectsService used before module init');
    // A pairwise client registered without redirect URIs has no sector: its client_id stands in.
    return pairwiseSubject({ sectorIdentifier: client.sectorIdentifier ?? client.clientId, localSubject: sub, salt: this.salt });
  }

  /**
   * The OP session id (`sid`) a client sees. Shared by every client of one browser session, a
   * plain sid would let two pairwise clients link their users; a pairwise client gets it
   * derived per sector, like its subjects. Logout (a later issue) maps it back the same way.
   */
  sessionIdForClient(client: Pick<Client, 'subjectType' | 'sectorIdentifier' | 'clientId'>, sid: string): string {
    if (client.subjectType !== 'pairwise') return sid;
    return this.forClient(client, `sid:${sid}`);
  }
}
