import type { MigrationInterface, QueryRunner } from 'typeorm';

// Sign-up, email verification, email change and password reset: single-use tokens (hashed),
// and the per-account counters that cap how many such mails anyone can trigger.
export class VerificationPostgres1796000400000 implements MigrationInterface {
  name = 'VerificationPostgres1796000400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      'CREATE TABLE "verification_tokens" ("token_hash" character varying(64) NOT NULL PRIMARY KEY, "purpose" character varying(16) NOT NULL, "sub" character varying(64) NOT NULL, "email" character varying(320) NOT NULL, "created_at" bigint NOT NULL, "expires_at" bigint NOT NULL, "consumed_at" bigint)',
    );
    await q.query('CREATE INDEX "ix_verification_tokens_sub" ON "verification_tokens" ("sub", "purpose")');
    await q.query('CREATE INDEX "ix_verification_tokens_expires_at" ON "verification_tokens" ("expires_at")');
    await q.query('CREATE TABLE "mail_quota" ("key" character varying(400) NOT NULL PRIMARY KEY, "count" integer NOT NULL, "window_start" bigint NOT NULL)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE "mail_quota"');
    await q.query('DROP TABLE "verification_tokens"');
  }
}
