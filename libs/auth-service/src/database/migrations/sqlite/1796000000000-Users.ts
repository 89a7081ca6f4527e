import type { MigrationInterface, QueryRunner } from 'typeorm';

// Users and login sessions (who a person is, and that they authenticated in a browser), and
// the brute-force counters and known devices of password throttling.
export class UsersSqlite1796000000000 implements MigrationInterface {
  name = 'UsersSqlite1796000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      'CREATE TABLE "users" ("sub" varchar(64) PRIMARY KEY NOT NULL, "email" varchar(320), "email_verified" boolean NOT NULL DEFAULT (0), "password_hash" text, "password_changed_at" bigint, "status" varchar(16) NOT NULL DEFAULT (\'active\'), "roles" text NOT NULL, "claims" text NOT NULL, "created_at" bigint NOT NULL, "updated_at" bigint NOT NULL)',
    );
    await q.query('CREATE UNIQUE INDEX "uq_users_email" ON "users" ("email")');
    await q.query(
      'CREATE TABLE "login_sessions" ("id" varchar(64) PRIMARY KEY NOT NULL, "storage_key" varchar(64) NOT NULL, "sub" varchar(64) NOT NULL, "stage" varchar(16) NOT NULL, "amr" text NOT NULL, "auth_time" bigint NOT NULL, "remember" boolean NOT NULL, "ip" varchar(64), "user_agent" varchar(255), "created_at" bigint NOT NULL, "last_seen_at" bigint NOT NULL, "expires_at" bigint NOT NULL, "ended_at" bigint)',
    );
    await q.query('CREATE UNIQUE INDEX "uq_login_sessions_storage_key" ON "login_sessions" ("storage_key")');
    await q.query('CREATE INDEX "ix_login_sessions_sub" ON "login_sessions" ("sub")');
    await q.query('CREATE INDEX "ix_login_sessions_expires_at" ON "login_sessions" ("expires_at")');
    await q.query(
      'CREATE TABLE "login_throttle" ("key" varchar(400) PRIMARY KEY NOT NULL, "failures" integer NOT NULL, "first_failure_at" bigint NOT NULL, "last_failure_at" bigint NOT NULL, "locked_until" bigint, "next_allowed_at" bigint NOT NULL DEFAULT 0, "in_flight_until" bigint)',
    );
    await q.query(
      'CREATE TABLE "known_devices" ("storage_key" varchar(64) NOT NULL, "sub" varchar(64) NOT NULL, "last_seen_at" bigint NOT NULL, PRIMARY KEY ("storage_key", "sub"))',
    );
    await q.query('CREATE INDEX "ix_known_devices_sub" ON "known_devices" ("sub")');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE "known_devices"');
    await q.query('DROP TABLE "login_throttle"');
    await q.query('DROP TABLE "login_sessions"');
    await q.query('DROP TABLE "users"');
  }
}
