import type { MigrationInterface, QueryRunner } from 'typeorm';
import { qualified } from './schema';

/** Embedded mode's queue on disk: what the in-process queue holds survives a crash. */
export class EventInbox1796400000000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE ${qualified(q)('event_inbox')} ("queue" character varying(100) NOT NULL, "event_id" character varying(36) NOT NULL, "envelope" text NOT NULL, "attempts" integer NOT NULL DEFAULT 0, "received_at" character varying(32) NOT NULL, CONSTRAINT "PK_event_inbox" PRIMARY KEY ("queue", "event_id"))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE ${qualified(q)('event_inbox')}`);
  }
}
