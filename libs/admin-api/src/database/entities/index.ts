import { AuditEntryEntity } from './audit-entry.entity';
import { IdempotencyKeyEntity } from './idempotency-key.entity';
import { RevocationEntity } from './revocation.entity';

export { AuditEntryEntity, IdempotencyKeyEntity, RevocationEntity };
export const ADMIN_API_ENTITIES = [AuditEntryEntity, RevocationEntity, IdempotencyKeyEntity];
