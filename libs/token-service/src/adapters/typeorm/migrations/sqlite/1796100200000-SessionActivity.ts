import type { MigrationInterface, QueryRunner } from 'typeorm';

// When each client last received a code or tokens on an OP session: the account page's
// "last seen" and "which apps" for a session. Existing rows start at their first use.
export class SessionActivitySqlite1796100200000 implements MigrationInterface {
  name = 'SessionActivitySqlite1796100200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "op_session_clients" ADD COLUMN "last_used_at" bigint');
    await queryRunner.query('UPDATE "op_session_clients" SET "last_used_at" = "created_at"');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "op_session_clients" DROP COLUMN "last_used_at"');
  }
}
