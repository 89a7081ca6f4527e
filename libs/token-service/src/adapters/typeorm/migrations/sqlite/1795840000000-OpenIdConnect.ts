import type { MigrationInterface, QueryRunner } from 'typeorm';

// OpenID Connect: the claims request UserInfo answers with travels with the access token, and
// the pairwise-subject salt is kept (encrypted) in service_secrets.
export class OpenIdConnectSqlite1795840000000 implements MigrationInterface {
  name = 'OpenIdConnectSqlite1795840000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "access_tokens" ADD COLUMN "claims" text');
    await queryRunner.query('CREATE TABLE "service_secrets" ("name" varchar(64) PRIMARY KEY NOT NULL, "value_encrypted" text NOT NULL, "created_at" bigint NOT NULL)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE "service_secrets"');
    await queryRunner.query('ALTER TABLE "access_tokens" DROP COLUMN "claims"');
  }
}
