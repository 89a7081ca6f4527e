import type { MigrationInterface, QueryRunner } from 'typeorm';

// Administrators' access revocations (revocation.requested) as carried out, by their id: a
// request delivered or sent again is answered with what the first delivery revoked.
export class AccessRevocationsSqlite1796100400000 implements MigrationInterface {
  name = 'AccessRevocationsSqlite1796100400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE TABLE "access_revocations" ("revocation_id" varchar(36) PRIMARY KEY NOT NULL, "client_id" varchar(255) NOT NULL, "sub" varchar(255), "requested_at" bigint NOT NULL, "grants" integer NOT NULL, "sessions" integer NOT NULL, "completed_at" bigint NOT NULL)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE "access_revocations"');
  }
}
