import { Inject, Injectable } from '@nestjs/common';
import { Brackets, DataSource, type EntityManager, type SelectQueryBuilder } from 'typeorm';
import { ADMIN_API_DATA_SOURCE, ADMIN_CLOCK, type Clock } from '../admin-api.tokens';
import type { Actor } from '../auth/admin.guard';
import { AuditEntryEntity, type ActorType } from '../database/entities/audit-entry.entity';
import { deleteBatch, FixedSql, isUniqueViolation } from '@tessera/runtime';

export interface NewAuditEntry {
  type: string;
  actor: { type: ActorType; id?: string };
  subject?: string;
  clientId?: string;
  ip?: string;
  /** Allow-listed facts about the action: ids, names of changed fields, counts. Never a secret. */
  details?: Record<string, unknown>;
  /** When it happened (epoch ms); default now. */
  occurredAt?: number;
  /** The event it was made from, if any (recorded once however often it is delivered). */
  eventId?: string;
}

export interface AuditFilter {
  actor?: string;
  subject?: string;
  client?: string;
  types?: string[];
  /** Epoch ms, inclusive. */
  since?: number;
  /** Epoch ms, exclusive. */
  until?: number;
  /** Entries older (smaller id) than this one. */
  before?: number;
}

export interface AuditEntryView {
  id: string;
  occurred_at: string;
  type: string;
  actor: { type: ActorType; id?: string };
  subject?: string;
  client_id?: string;
  ip?: string;
  details: Record<string, unknown>;
}

/** The audit log: written by admin actions and by the security events of the other services. */
@Injectable()
export class AuditLog {
  /** Inserted by fixed SQL: the query builder costs more than the insert, and wrote each entry's values into the SQL text (a statement prepared per entry). */
  private readonly entries: FixedSql<AuditEntryEntity>;

  constructor(
    @Inject(ADMIN_API_DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(ADMIN_CLOCK) private readonly clock: Clock,
  ) {
    this.entries = new FixedSql(dataSource, AuditEntryEntity);
  }

  async record(entry: NewAuditEntry, tx?: EntityManager): Promise<void> {
    const row = Object.assign(new AuditEntryEntity(), {
      occurredAt: entry.occurredAt ?? this.clock(),
      type: entry.type,
      actorType: entry.actor.type,
      actorId: entry.actor.id?.slice(0, 255) ?? null,
      subject: entry.subject?.slice(0, 255) ?? null,
      clientId: entry.clientId?.slice(0, 255) ?? null,
      ip: entry.ip?.slice(0, 64) ?? null,
      eventId: entry.eventId ?? null,
      details: entry.details ?? {},
    });
    try {
      // An insert, not save(): save() would first look for an existing row, a cost on every event.
      await this.entries.insert(row, tx);
    } catch (err) {
      // The same event recorded already (a redelivery racing the first): nothing to add.
      if (!(entry.eventId && isUniqueViolation(err))) throw err;
    }
  }

  /** An administrator's action, as `admin.<what>` (the caller names what: `client.created`). */
  action(actor: Actor, what: string, target: Pick<NewAuditEntry, 'clientId' | 'subject' | 'details'> = {}, tx?: EntityManager): Promise<void> {
    return this.record({ type: `admin.${what}`, actor: { type: actor.type, id: actor.id }, ip: actor.ip, ...target }, tx);
  }

  /** Newest first; `limit + 1` are read so that the caller knows whether there is a next page. */
  async page(filter: AuditFilter, limit: number): Promise<{ entries: AuditEntryView[]; next?: number }> {
    const rows = await this.query(filter).take(limit + 1).getMany();
    const entries = rows.slice(0, limit).map(view);
    return { entries, next: rows.length > limit ? Number(rows[limit - 1].id) : undefined };
  }

  /** Every matching entry, newest first, in bounded batches (for the NDJSON export). */
  async *all(filter: AuditFilter, batch = 500): AsyncGenerator<AuditEntryView> {
    let before = filter.before;
    for (;;) {
      const rows = await this.query({ ...filter, before }).take(batch).getMany();
      for (const row of rows) yield view(row);
      if (rows.length < batch) return;
      before = Number(rows[rows.length - 1].id);
    }
  }

  /** Retention: entries older than `cutoff` (epoch ms), at most `limit`, in one statement; returns how many. */
  deleteOlderThan(cutoff: number, limit: number): Promise<number> {
    return deleteBatch(this.dataSource, { table: AuditEntryEntity, where: '"occurred_at" < $1', params: [cutoff], limit });
  }

  private query(filter: AuditFilter): SelectQueryBuilder<AuditEntryEntity> {
    const q = this.dataSource.manager.createQueryBuilder(AuditEntryEntity, 'e').orderBy('e.id', 'DESC');
    if (filter.actor !== undefined) q.andWhere('e.actorId = :actor', { actor: filter.actor });
    if (filter.subject !== undefined) q.andWhere('e.subject = :subject', { subject: filter.subject });
    if (filter.client !== undefined) q.andWhere('e.clientId = :client', { client: filter.client });
    if (filter.types?.length) {
      // `login.*` selects a family of types.
      const exact = filter.types.filter((t) => !t.endsWith('.*'));
      const prefixes = filter.types.filter((t) => t.endsWith('.*')).map((t) => t.slice(0, -1));
      q.andWhere(
        new Brackets((w) => {
          if (exact.length) w.orWhere('e.type IN (:...exact)', { exact });
          // LIKE's wildcards in a type name (its underscores) match themselves only.
          prefixes.forEach((p, i) => w.orWhere(`e.type LIKE :p${i} ESCAPE '\\'`, { [`p${i}`]: `${p.replace(/[\\%_]/g, (c) => `\\${c}`)}%` }));
        }),
      );
    }
    if (filter.since !== undefined) q.andWhere('e.occurredAt >= :since', { since: filter.since });
    if (filter.until !== undefined) q.andWhere('e.occurredAt < :until', { until: filter.until });
    if (filter.before !== undefined) q.andWhere('e.id < :before', { before: filter.before });
    return q;
  }
}

function view(row: AuditEntryEntity): AuditEntryView {
  return {
    id: String(row.id),
    occurred_at: new Date(row.occurredAt).toISOString(),
    type: row.type,
    actor: row.actorId ? { type: row.actorType, id: row.actorId } : { type: row.actorType },
    ...(row.subject ? { subject: row.subject } : {}),
    ...(row.clientId ? { client_id: row.clientId } : {}),
    ...(row.ip ? { ip: row.ip } : {}),
    details: row.details,
  };
}
