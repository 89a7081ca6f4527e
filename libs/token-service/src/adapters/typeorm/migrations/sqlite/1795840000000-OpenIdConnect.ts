import type { MigrationInterface, QueryRunner } from 'typeorm';

// OpenID Connect: access tokens carry the claims request UserInfo answers with; the
// pairwise-subject salt is kept (encrypted) in service_secrets; pushed authorization requests
// (RFC 9126) wait in pushed_requests.
export class OpenIdConnectSqlite1795840000000 implements MigrationInterface {
  name = 'OpenIdConnectSqlite1795840000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "access_tokens" ADD COLUMN "claims" text');
    await queryRunner.query('CREATE TABLE "pushed_requests" ("storage_key" varchar(64) PRIMARY KEY NOT NULL, "client_id" varchar(255) NOT NULL, "params" text NOT NULL, "expires_at" bigint NOT NULL)');
    await queryRunner.query('CREATE INDEX "ix_pushed_requests_expires_at" ON "pushed_requests" ("expires_at") ');
    await queryRunner.query('CREATE TABLE "service_secrets" ("name" varchar(64) PRIMARY KEY NOT NULL, "value_encrypted" text NOT NULL, "created_at" bigint NOT NULL)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE "service_secrets"');
    await queryRunner.query('DROP INDEX "ix_pushed_requests_expires_at"');
    await queryRunner.query('DROP TABLE "pushed_requests"');
    await queryRunner.query('ALTER TABLE "access_tokens" DROP COLUMN "claims"');
  }
}
