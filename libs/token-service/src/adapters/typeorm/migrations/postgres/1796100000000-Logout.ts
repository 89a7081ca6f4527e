import type { MigrationInterface, QueryRunner } from 'typeorm';

// Logout: which clients each OP session served (to notify them when it ends), and RP-initiated
// logout requests waiting for the user's confirmation.
export class LogoutPostgres1796100000000 implements MigrationInterface {
  name = 'LogoutPostgres1796100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE TABLE "op_session_clients" ("sid" character varying(64) NOT NULL, "client_id" character varying(255) NOT NULL, "created_at" bigint NOT NULL, CONSTRAINT "PK_8405b0bfa151d06ef4d6ef023c3" PRIMARY KEY ("sid", "client_id"))');
    await queryRunner.query('CREATE TABLE "logout_requests" ("storage_key" character varying(64) NOT NULL, "verifier_hash" character varying(64) NOT NULL, "sid" character varying(64), "request" text NOT NULL, "created_at" bigint NOT NULL, "expires_at" bigint NOT NULL, "used_at" bigint, CONSTRAINT "PK_22e9ff39ea97922ccfa293691de" PRIMARY KEY ("storage_key"))');
    await queryRunner.query('CREATE INDEX "ix_logout_requests_expires_at" ON "logout_requests"  ("expires_at") ');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "ix_logout_requests_expires_at"');
    await queryRunner.query('DROP TABLE "logout_requests"');
    await queryRunner.query('DROP TABLE "op_session_clients"');
  }
}
