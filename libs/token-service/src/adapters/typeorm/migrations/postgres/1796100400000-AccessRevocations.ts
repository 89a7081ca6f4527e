import type { MigrationInterface, QueryRunner } from 'typeorm';

// Administrators' access revocations (revocation.requested) as carried out, by their id: a
// request delivered or sent again is answered with what the first delivery revoked.
export class AccessRevocationsPostgres1796100400000 implements MigrationInterface {
  name = 'AccessRevocationsPostgres1796100400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE TABLE "access_revocations" ("revocation_id" character varying(36) NOT NULL, "client_id" character varying(255) NOT NULL, "sub" character varying(255), "requested_at" bigint NOT NULL, "grants" integer NOT NULL, "sessions" integer NOT NULL, "completed_at" bigint NOT NULL, CONSTRAINT "PK_74707a69cf1c9c99df2a8ad1176" PRIMARY KEY ("revocation_id"))');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE "access_revocations"');
  }
}
