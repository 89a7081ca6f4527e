import type { MigrationInterface, QueryRunner } from 'typeorm';

// RFC 7591 §3 initial access tokens an administrator creates (stored hashed), with an expiry and the scopes clients registered with them may ask for.
export class InitialAccessTokensSqlite1796100500000 implements MigrationInterface {
  name = 'InitialAccessTokensSqlite1796100500000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE TABLE "initial_access_tokens" ("id" varchar(36) PRIMARY KEY NOT NULL, "token_hash" varchar(64) NOT NULL, "description" varchar(255), "scopes" text, "expires_at" bigint, "created_at" bigint NOT NULL, "revoked_at" bigint, "last_used_at" bigint, "uses" integer NOT NULL)');
    await queryRunner.query('CREATE UNIQUE INDEX "uq_initial_access_tokens_token_hash" ON "initial_access_tokens" ("token_hash")');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "uq_initial_access_tokens_token_hash"');
    await queryRunner.query('DROP TABLE "initial_access_tokens"');
  }
}
