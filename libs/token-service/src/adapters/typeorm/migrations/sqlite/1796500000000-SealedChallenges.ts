import type { MigrationInterface, QueryRunner } from 'typeorm';

// Challenges are sealed values now (interaction/challenge-seal.ts): nothing of a pending sign-in
// step is stored, and a challenge's single use is a row of the replay cache. In-flight sign-ins
// of the previous release start over ("Unknown or expired challenge").
export class SealedChallengesSqlite1796500000000 implements MigrationInterface {
  name = 'SealedChallengesSqlite1796500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "ix_challenges_expires_at"');
    await queryRunner.query('DROP TABLE "challenges"');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("CREATE TABLE \"challenges\" (\"storage_key\" varchar(64) PRIMARY KEY NOT NULL, \"kind\" varchar(16) NOT NULL, \"state\" varchar(16) NOT NULL, \"verifier_hash\" varchar(64) NOT NULL, \"client_id\" varchar(255) NOT NULL, \"request\" text NOT NULL, \"login\" text, \"outcome\" text, \"created_at\" bigint NOT NULL, \"expires_at\" bigint NOT NULL)");
    await queryRunner.query("CREATE INDEX \"ix_challenges_expires_at\" ON \"challenges\" (\"expires_at\") ");
  }
}
