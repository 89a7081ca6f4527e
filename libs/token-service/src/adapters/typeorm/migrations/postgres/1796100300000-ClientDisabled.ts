import type { MigrationInterface, QueryRunner } from 'typeorm';

// An administrator can turn a client off (and on again): nothing new is issued to a disabled
// client and its tokens are inactive. Every existing client stays enabled.
export class ClientDisabledPostgres1796100300000 implements MigrationInterface {
  name = 'ClientDisabledPostgres1796100300000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "clients" ADD "disabled" boolean NOT NULL DEFAULT false');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "clients" DROP COLUMN "disabled"');
  }
}
