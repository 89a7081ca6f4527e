import type { MigrationInterface, QueryRunner } from 'typeorm';

// Passkeys (WebAuthn credentials) and their pending ceremony challenges (hashed, single-use).
export class PasskeysSqlite1796000200000 implements MigrationInterface {
  name = 'PasskeysSqlite1796000200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      'CREATE TABLE "passkeys" ("id" varchar(64) PRIMARY KEY NOT NULL, "sub" varchar(64) NOT NULL, "credential_id" varchar(1400) NOT NULL, "user_handle" varchar(128) NOT NULL, "public_key" text NOT NULL, "sign_count" bigint NOT NULL, "transports" text NOT NULL, "device_type" varchar(16) NOT NULL, "backed_up" boolean NOT NULL, "aaguid" varchar(36) NOT NULL, "name" varchar(64) NOT NULL, "created_at" bigint NOT NULL, "last_used_at" bigint)',
    );
    await q.query('CREATE UNIQUE INDEX "uq_passkeys_credential_id" ON "passkeys" ("credential_id")');
    await q.query('CREATE INDEX "ix_passkeys_sub" ON "passkeys" ("sub")');
    await q.query(
      'CREATE TABLE "passkey_challenges" ("storage_key" varchar(64) PRIMARY KEY NOT NULL, "ceremony" varchar(16) NOT NULL, "binding" varchar(64) NOT NULL, "sub" varchar(64), "login_challenge" varchar(64), "user_handle" varchar(128), "expires_at" bigint NOT NULL)',
    );
    await q.query('CREATE INDEX "ix_passkey_challenges_sub" ON "passkey_challenges" ("sub")');
    await q.query('CREATE INDEX "ix_passkey_challenges_expires_at" ON "passkey_challenges" ("expires_at")');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE "passkey_challenges"');
    await q.query('DROP TABLE "passkeys"');
  }
}
