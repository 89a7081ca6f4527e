import type { MigrationInterface, QueryRunner } from 'typeorm';

// An administrator can turn a client off (and on again): nothing new is issued to a disabled
// client and its tokens are inactive. Every existing client stays enabled.
export class ClientDisabledSqlite1796100300000 implements MigrationInterface {
  name = 'ClientDisabledSqlite1796100300000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "clients" ADD COLUMN "disabled" boolean NOT NULL DEFAULT (0)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "clients" DROP COLUMN "disabled"');
  }
}
