import type { DataSource } from 'typeorm';
import { ServiceSecretStore } from '../../ports/service-secret.store';
import { isUniqueViolation } from './data-source';
import { ServiceSecretEntity } from './entities';

export class ServiceSecretTypeormStore extends ServiceSecretStore {
  constructor(private readonly dataSource: DataSource) {
    super();
  }

  async getOrInsert(name: string, candidate: string, now: number): Promise<string> {
    const existing = await this.dataSource.manager.findOneBy(ServiceSecretEntity, { name });
    if (existing) return existing.valueEncrypted;
    try {
      await this.dataSource.manager.insert(ServiceSecretEntity, { name, valueEncrypted: candidate, createdAt: now });
      return candidate;
    } catch (err) {
      // Another replica made it first: theirs is the one everybody uses.
      if (!isUniqueViolation(err)) throw err;
      return (await this.dataSource.manager.findOneByOrFail(ServiceSecretEntity, { name })).valueEncrypted;
    }
  }

  async replace(name: string, valueEncrypted: string): Promise<void> {
    await this.dataSource.manager.update(ServiceSecretEntity, { name }, { valueEncrypted });
  }
}
