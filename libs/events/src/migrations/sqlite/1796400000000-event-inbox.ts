import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Embedded mode's queue on disk: what the in-process queue holds survives a crash. */
export class EventInbox1796400000000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "event_inbox" ("queue" varchar(100) NOT NULL, "event_id" varchar(36) NOT NULL, "envelope" text NOT NULL, "attempts" integer NOT NULL DEFAULT (0), "received_at" varchar(32) NOT NULL, PRIMARY KEY ("queue", "event_id")) WITHOUT ROWID`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "event_inbox"`);
  }
}
