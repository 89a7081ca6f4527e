import type { MigrationInterface, QueryRunner } from 'typeorm';

// OpenID Connect: the claims request UserInfo answers with travels with the access token, and
// the pairwise-subject salt is kept (encrypted) in service_secrets.
export class OpenIdConnectPostgres1795840000000 implements MigrationInterface {
  name = 'OpenIdConnectPostgres1795840000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "access_tokens" ADD COLUMN "claims" text');
    await queryRunner.query('CREATE TABLE "service_secrets" ("name" character varying(64) NOT NULL, "value_encrypted" text NOT NULL, "created_at" bigint NOT NULL, CONSTRAINT "PK_99379a4cd9a65c72298f97e213b" PRIMARY KEY ("name"))');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE "service_secrets"');
    await queryRunner.query('ALTER TABLE "access_tokens" DROP COLUMN "claims"');
  }
}
