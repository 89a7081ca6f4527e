import { MasterKeyring, randomSecret } from '@tessera/runtime';
import { ServiceSecretStore } from '../ports/service-secret.store';
import { SubjectsService } from './subjects.service';

class MemorySecrets extends ServiceSecretStore {
  readonly values = new Map<string, string>();
  async getOrInsert(name: string, candidate: string) {
    if (!this.values.has(name)) this.values.set(name, candidate);
    return this.values.get(name) as string;
  }
  async replace(name: string, valueEncrypted: string) {
    this.values.set(name, valueEncrypted);
  }
}

const pairwise = { subjectType: 'pairwise' as const, sectorIdentifier: 'app.example.com', clientId: 'app' };
const publicClient = { subjectType: 'public' as const, clientId: 'other' };

async function started(secrets: MemorySecrets, keyring: MasterKeyring) {
  const service = new SubjectsService(secrets, keyring, () => Date.UTC(2026, 10, 28));
  await service.onModuleInit();
  return service;
}

describe('SubjectsService', () => {
  it('answers the user id to a public client and a stable, different value to a pairwise one', async () => {
    const subjects = await started(new MemorySecrets(), new MasterKeyring(randomSecret(32)));
    expect(subjects.forClient(publicClient, 'user-1')).toBe('user-1');
    const sub = subjects.forClient(pairwise, 'user-1');
    expect(sub).not.toContain('user-1');
    expect(subjects.forClient(pairwise, 'user-1')).toBe(sub);
    expect(subjects.forClient({ ...pairwise, sectorIdentifier: 'elsewhere.example.com' }, 'user-1')).not.toBe(sub);
  });

  it('keeps pairwise subjects through a master-key rotation, and re-encrypts the salt under the new key', async () => {
    const secrets = new MemorySecrets();
    const oldKey = randomSecret(32);
    const before = (await started(secrets, new MasterKeyring(oldKey))).forClient(pairwise, 'user-1');

    const newKey = randomSecret(32);
    const rotated = new MasterKeyring(newKey, [oldKey]);
    expect((await started(secrets, rotated)).forClient(pairwise, 'user-1')).toBe(before);
    expect(rotated.isStale(secrets.values.get('pairwise-subject-salt') as string)).toBe(false);

    // Once the retired key is dropped, the salt still decrypts: it was rewritten under the new one.
    expect((await started(secrets, new MasterKeyring(newKey))).forClient(pairwise, 'user-1')).toBe(before);
  });

  it('derives a per-sector sid for a pairwise client and leaves it alone for a public one', async () => {
    const subjects = await started(new MemorySecrets(), new MasterKeyring(randomSecret(32)));
    expect(subjects.sessionIdForClient(publicClient, 'sid-1')).toBe('sid-1');
    const sid = subjects.sessionIdForClient(pairwise, 'sid-1');
    expect(sid).not.toBe('sid-1');
    expect(sid).not.toBe(subjects.forClient(pairwise, 'sid-1'));
    expect(subjects.sessionIdForClient({ ...pairwise, sectorIdentifier: 'b.example.com' }, 'sid-1')).not.toBe(sid);
  });
});
