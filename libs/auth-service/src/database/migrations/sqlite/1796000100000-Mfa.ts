import type { MigrationInterface, QueryRunner } from 'typeorm';

// Multi-factor authentication: TOTP authenticators (secret encrypted, last used time step),
// recovery codes (hashed), mailed one-time codes (HMAC), and the wrong-code counters.
export class MfaSqlite1796000100000 implements MigrationInterface {
  name = 'MfaSqlite1796000100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      'CREATE TABLE "mfa_totp" ("sub" varchar(64) PRIMARY KEY NOT NULL, "secret_encrypted" text NOT NULL, "created_at" bigint NOT NULL, "confirmed_at" bigint, "last_used_step" bigint)',
    );
    await q.query(
      'CREATE TABLE "mfa_recovery_codes" ("id" varchar(36) PRIMARY KEY NOT NULL, "sub" varchar(64) NOT NULL, "code_hash" varchar(64) NOT NULL, "created_at" bigint NOT NULL, "used_at" bigint)',
    );
    await q.query('CREATE UNIQUE INDEX "uq_mfa_recovery_codes_sub_hash" ON "mfa_recovery_codes" ("sub", "code_hash")');
    await q.query(
      'CREATE TABLE "mfa_email_codes" ("id" varchar(36) PRIMARY KEY NOT NULL, "sub" varchar(64) NOT NULL, "login_session_id" varchar(64) NOT NULL, "code_hash" varchar(64) NOT NULL, "attempts" integer NOT NULL, "created_at" bigint NOT NULL, "expires_at" bigint NOT NULL, "ended_at" bigint)',
    );
    await q.query('CREATE INDEX "ix_mfa_email_codes_sub" ON "mfa_email_codes" ("sub")');
    await q.query('CREATE INDEX "ix_mfa_email_codes_login_session_id" ON "mfa_email_codes" ("login_session_id")');
    await q.query('CREATE TABLE "mfa_failures" ("key" varchar(80) PRIMARY KEY NOT NULL, "sub" varchar(64) NOT NULL, "failures" integer NOT NULL, "first_failure_at" bigint NOT NULL)');
    await q.query('CREATE INDEX "ix_mfa_failures_sub" ON "mfa_failures" ("sub")');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE "mfa_failures"');
    await q.query('DROP TABLE "mfa_email_codes"');
    await q.query('DROP TABLE "mfa_recovery_codes"');
    await q.query('DROP TABLE "mfa_totp"');
  }
}
