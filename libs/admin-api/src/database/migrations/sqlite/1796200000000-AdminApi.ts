import type { MigrationInterface, QueryRunner } from 'typeorm';

// The admin API's own tables: the audit log, revocations and their status, idempotency keys.
export class AdminApiSqlite1796200000000 implements MigrationInterface {
  name = 'AdminApiSqlite1796200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      'CREATE TABLE "audit_entries" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "occurred_at" bigint NOT NULL, "type" varchar(64) NOT NULL, "actor_type" varchar(16) NOT NULL, "actor_id" varchar(255), "subject" varchar(255), "client_id" varchar(255), "ip" varchar(64), "event_id" varchar(36), "details" text NOT NULL)',
    );
    await q.query('CREATE INDEX "ix_audit_entries_occurred_at" ON "audit_entries" ("occurred_at")');
    await q.query('CREATE INDEX "ix_audit_entries_type" ON "audit_entries" ("type")');
    await q.query('CREATE INDEX "ix_audit_entries_actor_id" ON "audit_entries" ("actor_id")');
    await q.query('CREATE INDEX "ix_audit_entries_subject" ON "audit_entries" ("subject")');
    await q.query('CREATE INDEX "ix_audit_entries_client_id" ON "audit_entries" ("client_id")');
    await q.query('CREATE UNIQUE INDEX "uq_audit_entries_event_id" ON "audit_entries" ("event_id")');
    await q.query(
      'CREATE TABLE "revocations" ("id" varchar(36) PRIMARY KEY NOT NULL, "client_id" varchar(255) NOT NULL, "sub" varchar(255), "disable_client" boolean NOT NULL, "status" varchar(16) NOT NULL, "requested_by" varchar(255) NOT NULL, "requested_at" bigint NOT NULL, "completed_at" bigint, "grants" integer, "sessions" integer)',
    );
    await q.query(
      'CREATE TABLE "idempotency_keys" ("storage_key" varchar(64) PRIMARY KEY NOT NULL, "request_hash" varchar(64) NOT NULL, "status" integer, "response" text, "created_at" bigint NOT NULL)',
    );
    await q.query('CREATE INDEX "ix_idempotency_keys_created_at" ON "idempotency_keys" ("created_at")');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE "idempotency_keys"');
    await q.query('DROP TABLE "revocations"');
    await q.query('DROP TABLE "audit_entries"');
  }
}
