import type { MigrationInterface, QueryRunner } from 'typeorm';

// Challenges are sealed values now (interaction/challenge-seal.ts): nothing of a pending sign-in
// step is stored, and a challenge's single use is a row of the replay cache. In-flight sign-ins
// of the previous release start over ("Unknown or expired challenge").
export class SealedChallengesPostgres1796500000000 implements MigrationInterface {
  name = 'SealedChallengesPostgres1796500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "ix_challenges_expires_at"');
    await queryRunner.query('DROP TABLE "challenges"');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("CREATE TABLE \"challenges\" (\"storage_key\" character varying(64) NOT NULL, \"kind\" character varying(16) NOT NULL, \"state\" character varying(16) NOT NULL, \"verifier_hash\" character varying(64) NOT NULL, \"client_id\" character varying(255) NOT NULL, \"request\" text NOT NULL, \"login\" text, \"outcome\" text, \"created_at\" bigint NOT NULL, \"expires_at\" bigint NOT NULL, CONSTRAINT \"PK_e0b13952ec05d0f042978237675\" PRIMARY KEY (\"storage_key\"))");
    await queryRunner.query("CREATE INDEX \"ix_challenges_expires_at\" ON \"challenges\"  (\"expires_at\") ");
  }
}
