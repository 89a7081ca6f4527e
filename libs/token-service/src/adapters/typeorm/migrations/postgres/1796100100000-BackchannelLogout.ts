import type { MigrationInterface, QueryRunner } from 'typeorm';

// OpenID Connect Back-Channel Logout: the status of every logout token delivery, one row per
// logout.backchannel.requested event, for the admin API.
export class BackchannelLogoutPostgres1796100100000 implements MigrationInterface {
  name = 'BackchannelLogoutPostgres1796100100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE TABLE "backchannel_deliveries" ("event_id" character varying(36) NOT NULL, "client_id" character varying(255) NOT NULL, "sub" character varying(255) NOT NULL, "sid" character varying(64), "status" character varying(16) NOT NULL, "attempts" integer NOT NULL, "last_error" character varying(1000), "created_at" bigint NOT NULL, "updated_at" bigint NOT NULL, CONSTRAINT "PK_6a89a78771a1f254e12617c7d13" PRIMARY KEY ("event_id"))');
    await queryRunner.query('CREATE INDEX "ix_backchannel_deliveries_client_sid" ON "backchannel_deliveries"  ("client_id", "sid") ');
    await queryRunner.query('CREATE INDEX "ix_backchannel_deliveries_status" ON "backchannel_deliveries"  ("status") ');
    await queryRunner.query('CREATE INDEX "ix_backchannel_deliveries_updated_at" ON "backchannel_deliveries"  ("updated_at") ');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "ix_backchannel_deliveries_updated_at"');
    await queryRunner.query('DROP INDEX "ix_backchannel_deliveries_status"');
    await queryRunner.query('DROP INDEX "ix_backchannel_deliveries_client_sid"');
    await queryRunner.query('DROP TABLE "backchannel_deliveries"');
  }
}
