import type { MigrationInterface, QueryRunner } from 'typeorm';

export class EventsTables1764288000000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "outbox" ("id" varchar(36) PRIMARY KEY NOT NULL, "name" varchar(100) NOT NULL, "version" integer NOT NULL, "payload" text NOT NULL, "occurred_at" varchar(32) NOT NULL, "published_at" varchar(32), "attempts" integer NOT NULL DEFAULT (0), "last_error" text)`,
    );
    await q.query(`CREATE INDEX "IDX_outbox_published_at" ON "outbox" ("published_at")`);
    await q.query(
      `CREATE TABLE "processed_events" ("consumer" varchar(100) NOT NULL, "event_id" varchar(36) NOT NULL, "processed_at" varchar(32) NOT NULL, PRIMARY KEY ("consumer", "event_id"))`,
    );
    await q.query(
      `CREATE TABLE "dead_letters" ("id" varchar(36) PRIMARY KEY NOT NULL, "event_id" varchar(36), "queue" varchar(100) NOT NULL, "name" varchar(100), "version" integer, "occurred_at" varchar(32), "payload" text NOT NULL, "error" text NOT NULL, "attempts" integer NOT NULL, "failed_at" varchar(32) NOT NULL)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "dead_letters"`);
    await q.query(`DROP TABLE "processed_events"`);
    await q.query(`DROP INDEX "IDX_outbox_published_at"`);
    await q.query(`DROP TABLE "outbox"`);
  }
}
