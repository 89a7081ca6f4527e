import type { MigrationInterface, QueryRunner } from 'typeorm';
import { qualified } from './schema';

export class EventsTables1764288000000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    const t = qualified(q);
    await q.query(
      `CREATE TABLE ${t('outbox')} ("id" character varying(36) NOT NULL, "name" character varying(100) NOT NULL, "version" integer NOT NULL, "payload" text NOT NULL, "occurred_at" character varying(32) NOT NULL, "published_at" character varying(32), "attempts" integer NOT NULL DEFAULT 0, "last_error" text, CONSTRAINT "PK_outbox" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE INDEX "IDX_outbox_published_at" ON ${t('outbox')} ("published_at")`);
    await q.query(
      `CREATE TABLE ${t('processed_events')} ("consumer" character varying(100) NOT NULL, "event_id" character varying(36) NOT NULL, "processed_at" character varying(32) NOT NULL, CONSTRAINT "PK_processed_events" PRIMARY KEY ("consumer", "event_id"))`,
    );
    await q.query(
      `CREATE TABLE ${t('dead_letters')} ("id" character varying(36) NOT NULL, "event_id" character varying(36), "queue" character varying(100) NOT NULL, "name" character varying(100), "version" integer, "occurred_at" character varying(32), "payload" text NOT NULL, "error" text NOT NULL, "attempts" integer NOT NULL, "failed_at" character varying(32) NOT NULL, CONSTRAINT "PK_dead_letters" PRIMARY KEY ("id"))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    const t = qualified(q);
    await q.query(`DROP TABLE ${t('dead_letters')}`);
    await q.query(`DROP TABLE ${t('processed_events')}`);
    await q.query(`DROP INDEX ${t('IDX_outbox_published_at')}`);
    await q.query(`DROP TABLE ${t('outbox')}`);
  }
}
