import type { MigrationInterface, QueryRunner } from 'typeorm';

// No statement reads authorization codes by grant_id (a code of a revoked grant fails at redemption,
// where the grant's own row is checked), so its index was only a write per code.
export class UnindexedCodeGrantPostgres1796400100000 implements MigrationInterface {
  name = 'UnindexedCodeGrantPostgres1796400100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "ix_authorization_codes_grant_id"');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE INDEX "ix_authorization_codes_grant_id" ON "authorization_codes" ("grant_id")');
  }
}
