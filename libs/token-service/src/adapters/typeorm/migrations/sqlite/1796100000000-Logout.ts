import type { MigrationInterface, QueryRunner } from 'typeorm';

// Logout: which clients each OP session served (to notify them when it ends), and RP-initiated
// logout requests waiting for the user's confirmation.
export class LogoutSqlite1796100000000 implements MigrationInterface {
  name = 'LogoutSqlite1796100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE TABLE "op_session_clients" ("sid" varchar(64) NOT NULL, "client_id" varchar(255) NOT NULL, "created_at" bigint NOT NULL, PRIMARY KEY ("sid", "client_id"))');
    await queryRunner.query('CREATE TABLE "logout_requests" ("storage_key" varchar(64) PRIMARY KEY NOT NULL, "verifier_hash" varchar(64) NOT NULL, "sid" varchar(64), "request" text NOT NULL, "created_at" bigint NOT NULL, "expires_at" bigint NOT NULL, "used_at" bigint)');
    await queryRunner.query('CREATE INDEX "ix_logout_requests_expires_at" ON "logout_requests" ("expires_at") ');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "ix_logout_requests_expires_at"');
    await queryRunner.query('DROP TABLE "logout_requests"');
    await queryRunner.query('DROP TABLE "op_session_clients"');
  }
}
