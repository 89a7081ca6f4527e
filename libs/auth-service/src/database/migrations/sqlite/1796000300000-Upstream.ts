import type { MigrationInterface, QueryRunner } from 'typeorm';

// Upstream OpenID providers (client secret encrypted), the upstream accounts linked to users,
// the authorization requests waiting for their callback (state hashed, browser-bound), and the
// links waiting for the person to prove they own the local account.
export class UpstreamSqlite1796000300000 implements MigrationInterface {
  name = 'UpstreamSqlite1796000300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      'CREATE TABLE "upstream_idps" ("id" varchar(64) PRIMARY KEY NOT NULL, "display_name" varchar(100) NOT NULL, "issuer" varchar(2048) NOT NULL, "client_id" varchar(255) NOT NULL, "client_secret_encrypted" text NOT NULL, "token_endpoint_auth_method" varchar(32) NOT NULL, "scopes" text NOT NULL, "claim_mapping" text NOT NULL, "trust_email_verified" boolean NOT NULL, "enabled" boolean NOT NULL, "created_at" bigint NOT NULL, "updated_at" bigint NOT NULL)',
    );
    await q.query(
      'CREATE TABLE "upstream_links" ("id" varchar(64) PRIMARY KEY NOT NULL, "idp_id" varchar(64) NOT NULL, "upstream_sub" varchar(255) NOT NULL, "sub" varchar(64) NOT NULL, "email" varchar(320), "created_at" bigint NOT NULL, "last_used_at" bigint)',
    );
    await q.query('CREATE UNIQUE INDEX "uq_upstream_links_subject" ON "upstream_links" ("idp_id", "upstream_sub")');
    await q.query('CREATE UNIQUE INDEX "uq_upstream_links_user_idp" ON "upstream_links" ("sub", "idp_id")');
    await q.query(
      'CREATE TABLE "upstream_auth_requests" ("state_hash" varchar(64) PRIMARY KEY NOT NULL, "binding_hash" varchar(64) NOT NULL, "idp_id" varchar(64) NOT NULL, "purpose" varchar(16) NOT NULL, "sub" varchar(64), "secrets_encrypted" text NOT NULL, "created_at" bigint NOT NULL, "expires_at" bigint NOT NULL)',
    );
    await q.query('CREATE INDEX "ix_upstream_auth_requests_expires_at" ON "upstream_auth_requests" ("expires_at")');
    await q.query(
      'CREATE TABLE "upstream_pending_links" ("key_hash" varchar(64) PRIMARY KEY NOT NULL, "idp_id" varchar(64) NOT NULL, "upstream_sub" varchar(255) NOT NULL, "email" varchar(320), "sub" varchar(64) NOT NULL, "created_at" bigint NOT NULL, "expires_at" bigint NOT NULL)',
    );
    await q.query('CREATE INDEX "ix_upstream_pending_links_sub" ON "upstream_pending_links" ("sub")');
    await q.query('CREATE INDEX "ix_upstream_pending_links_expires_at" ON "upstream_pending_links" ("expires_at")');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE "upstream_pending_links"');
    await q.query('DROP TABLE "upstream_auth_requests"');
    await q.query('DROP TABLE "upstream_links"');
    await q.query('DROP TABLE "upstream_idps"');
  }
}
